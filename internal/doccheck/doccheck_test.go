package doccheck

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestModuleDocComments: every exported name of the module has a doc comment that starts with
// its name.
func TestModuleDocComments(t *testing.T) {
	problems, err := Check("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s: doc comment must start with its name; it reads %q", p.Pos, p.Name, p.Doc)
	}
}

// TestCheckFindsEachKind: the checker flags each kind of undocumented name, and accepts each
// documented one, so that TestModuleDocComments can fail.
func TestCheckFindsEachKind(t *testing.T) {
	const src = `package p

// Good is documented.
func Good() {}

func Bad() {}

// A Bad2 starts with an article.
type Bad2 int

// Bad2Method is not its name.
func (Bad2) Method() {}

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
	BadTrailing = 4 // says nothing of its name
)

// GoodVar is documented.
var GoodVar = 1

// GoodVars is documented.
var GoodVars, Other = 1, 2

// Goodness is not GoodPrefix.
var GoodPrefix = 1
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
	if want := "Bad,Bad2,Bad2.Method,BadConst,BadTrailing,GoodPrefix"; strings.Join(got, ",") != want {
		t.Fatalf("flagged %v, want %s", got, want)
	}
}
