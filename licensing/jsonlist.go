package licensing

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// maxListItems bounds every list the SDK reads from an answer (a user's licenses, a license's
// metadata, a release's files and platforms): the API documents no bound; real lists hold a
// handful, so 1000 is generous (inferred). A longer list is a bad answer.
const maxListItems = 1000

// errNotList is decodeList's error for raw that is not a list of at most maxListItems.
var errNotList = errors.New("not a list of at most 1000 items")

// decodeList calls each for every element of the JSON list raw, one element at a time, so that
// no allocation is sized by the list's length; absent and null are the empty list. It returns
// each's first error, or errNotList for anything else.
func decodeList(raw []byte, each func(d *json.Decoder) error) error {
	if isJSONNull(raw) {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	if t, err := d.Token(); err != nil || t != json.Delim('[') {
		return errNotList
	}
	for n := 0; d.More(); n++ {
		if n == maxListItems {
			return errNotList
		}
		if err := each(d); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil {
		return errNotList
	}
	if _, err := d.Token(); err != io.EOF {
		return errNotList
	}
	return nil
}
