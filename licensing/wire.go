package licensing

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
)

// The request bodies are written by encoding/json from the wire structs below. Their fields are
// in the reference page's order, which encoding/json keeps. "Absent" and "zero" differ where a
// PATCH needs them to: omitempty on strings and times means "" or the zero time is not sent,
// a pointer (*int64) is sent when not nil, and omitzero on slices sends an empty non-nil slice
// as [] and leaves out only nil. Members without either option are always sent, zero included.

// wireMachine is the machine's signals and the product id, which open the update and the
// activation bodies alike.
type wireMachine struct {
	OS          string `json:"os"`
	OSVersion   string `json:"osVersion,omitempty"`
	Fingerprint string `json:"fingerprint"`
	VMName      string `json:"vmName"`
	Container   bool   `json:"container"`
	Hostname    string `json:"hostname"`
	UserHash    string `json:"userHash"`
	ProductID   string `json:"productId"`
}

func machineWire(productID string, m *fingerprint.Machine) wireMachine {
	return wireMachine{OS: m.OS, OSVersion: m.OSVersion, Fingerprint: m.Fingerprint, VMName: m.VMName,
		Container: m.Container, Hostname: m.Hostname, UserHash: m.UserHash, ProductID: productID}
}

type wireMetadata struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type wireMeter struct {
	Name          string `json:"name"`
	UsesIncrement int64  `json:"usesIncrement"`
}

// wireUpdate is the body of PATCH /v3/activations/{id}.
type wireUpdate struct {
	wireMachine
	AccountID string `json:"accountId"`
	wireRelease
	Key                      string         `json:"key"`
	UserID                   string         `json:"userId,omitempty"`
	LeaseDuration            *int64         `json:"leaseDuration,omitempty"`
	Metadata                 []wireMetadata `json:"metadata,omitzero"`
	MeterAttributes          []wireMeter    `json:"meterAttributes,omitzero"`
	DeviceID                 string         `json:"deviceId,omitempty"`
	DeviceChallenge          string         `json:"deviceChallenge,omitempty"`
	DeviceChallengeSignature string         `json:"deviceChallengeSignature,omitempty"`
}

// wireRelease is the release members that are set, in the reference page's order: the
// update and the activation share them.
type wireRelease struct {
	ReleaseVersion     string    `json:"releaseVersion,omitempty"`
	ReleaseChannel     string    `json:"releaseChannel,omitempty"`
	ReleasePlatform    string    `json:"releasePlatform,omitempty"`
	ReleasePublishedAt time.Time `json:"releasePublishedAt,omitzero"` // RFC 3339, UTC
}

func releaseWire(version, channel, platform string, publishedAt time.Time) wireRelease {
	return wireRelease{ReleaseVersion: version, ReleaseChannel: channel, ReleasePlatform: platform,
		ReleasePublishedAt: publishedAt.UTC()}
}

// wireActivate is the body of POST /v3/activations.
type wireActivate struct {
	wireMachine
	AccountID string `json:"accountId"`
	wireRelease
	Key             string         `json:"key"`
	AppVersion      string         `json:"appVersion,omitempty"`
	LeaseDuration   *int64         `json:"leaseDuration,omitempty"`
	Email           string         `json:"email,omitempty"`
	Password        string         `json:"password,omitempty"`
	Metadata        []wireMetadata `json:"metadata,omitzero"`
	MeterAttributes []wireMeter    `json:"meterAttributes,omitzero"`
}

// wireDeactivate is the body of POST /v3/activations/{id}/deactivate.
type wireDeactivate struct {
	ProductID   string `json:"productId"`
	AccountID   string `json:"accountId"`
	Fingerprint string `json:"fingerprint"`
	UserHash    string `json:"userHash"`
	OS          string `json:"os"`
}

// wireItems converts metadata and meter attributes, keeping nil nil and empty empty.
func wireItems(md []Metadata, ma []MeterAttribute) ([]wireMetadata, []wireMeter) {
	var wmd []wireMetadata
	if md != nil {
		wmd = make([]wireMetadata, len(md))
		for i, it := range md {
			wmd[i] = wireMetadata(it)
		}
	}
	var wma []wireMeter
	if ma != nil {
		wma = make([]wireMeter, len(ma))
		for i, it := range ma {
			wma[i] = wireMeter(it)
		}
	}
	return wmd, wma
}

// marshalBody encodes v with encoding/json, without the HTML escaping of <, > and & that a JSON
// API body has no use for. Invalid UTF-8 (refused by validation before this is reached) would
// become U+FFFD; U+2028 and U+2029 are escaped.
func marshalBody(v any) []byte {
	var buf bytes.Buffer
	buf.Grow(512)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// The wire structs hold only strings, numbers, booleans, slices of them and a time
		// checked to lie in years 1 to 9999: nothing encoding/json can fail on.
		panic("licensing: encoding a request body: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
}

// updateBody returns the wire body of u; the input must have passed validateUpdate.
func updateBody(productID string, m *fingerprint.Machine, u *Update) []byte {
	md, ma := wireItems(u.Metadata, u.MeterAttributes)
	return marshalBody(&wireUpdate{
		wireMachine: machineWire(productID, m), AccountID: u.AccountID,
		wireRelease: releaseWire(u.ReleaseVersion, u.ReleaseChannel, u.ReleasePlatform, u.ReleasePublishedAt),
		Key:         u.Key, UserID: u.UserID,
		LeaseDuration: u.LeaseDuration, Metadata: md, MeterAttributes: ma, DeviceID: u.DeviceID,
		DeviceChallenge: u.DeviceChallenge, DeviceChallengeSignature: u.DeviceChallengeSignature,
	})
}

// activateBody returns the POST /v3/activations body: the fields the API notes list for it,
// plus container, which the server's allowContainerActivation rule reads, the release fields,
// and what the vendor's own client sends (vendor-client.md): accountId always ("" included),
// leaseDuration, email and password when set; in the reference page's order.
func activateBody(productID string, m *fingerprint.Machine, r *ActivationRequest) []byte {
	md, ma := wireItems(r.Metadata, r.MeterAttributes)
	return marshalBody(&wireActivate{wireMachine: machineWire(productID, m), AccountID: r.AccountID,
		wireRelease: releaseWire(r.ReleaseVersion, r.ReleaseChannel, r.ReleasePlatform, r.ReleasePublishedAt),
		Key:         r.Key, AppVersion: r.AppVersion, LeaseDuration: r.LeaseDuration,
		Email: r.Email, Password: r.Password, Metadata: md, MeterAttributes: ma})
}

// deactivateBody returns the deactivation body the API notes give.
func deactivateBody(productID string, m *fingerprint.Machine) []byte {
	return marshalBody(&wireDeactivate{ProductID: productID, Fingerprint: m.Fingerprint, UserHash: m.UserHash, OS: m.OS})
}
