package doccheck

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestModuleDocComments: every exported name of the module has a doc comment (staticcheck checks
// that it starts with the name).
func TestModuleDocComments(t *testing.T) {
	problems, err := Check("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s has no doc comment", p.Pos, p.Name)
	}
}

// TestCheckFindsEachKind: the checker flags each kind of undocumented name, and accepts each
// documented one (whatever its words), so that TestModuleDocComments can fail.
func TestCheckFindsEachKind(t *testing.T) {
	const src = `package p

// Good is documented.
func Good() {}

func Bad() {}

// A Fine starts with an article: staticcheck's ST1021, not this check.
type Fine int

func (Fine) BadMethod() {}

// Method is documented.
func (*Good3) Method() {}

// Good3 is documented.
type Good3 struct{}

func (unexported) Method() {}

type unexported int

// Group of constants.
const (
	// GoodConst is documented.
	GoodConst = 1
	GoodTrailing = 2 // GoodTrailing is documented at the end of its line.
	BadConst = 3
)

// GoodVar is documented.
var GoodVar = 1

// GoodVars is documented.
var GoodVars, Other = 1, 2
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range checkFile(fset, f) {
		got = append(got, p.Name)
	}
	if want := "Bad,Fine.BadMethod,BadConst"; strings.Join(got, ",") != want {
		t.Fatalf("flagged %v, want %s", got, want)
	}
}
