package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// writeNew writes b to a file at path that it creates, readable by the user alone (0600). It
// never writes to a file that exists, nor through a symbolic link, a dangling one included:
// O_EXCL makes the create fail on any existing name, links too, so a link planted where the
// capture goes (to ~/.profile, say) cannot make the tool overwrite its target.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: the capture is written to a new file only; choose another name", path)
	}
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(path) // ours: created above
		return err
	}
	return nil
}
