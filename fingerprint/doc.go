// Package fingerprint reads the signals that identify this machine to the activation API: the
// operating system and its version, the host name, a fingerprint, a keyed hash of the user name,
// and whether the program runs in a virtual machine or a container.
//
// It does no network I/O.
package fingerprint
