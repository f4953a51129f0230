// Package doccheck finds the exported names of the module whose doc comment does not start with
// the name, so that go doc alone is enough to use the SDK. Its test runs it over the module.
package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
)

// Problem is one exported name whose doc comment is missing or does not start with the name.
type Problem struct {
	Pos  string // file:line
	Name string // Name, or Type.Method
	Doc  string // the doc comment's first line, "" when there is none
}

// Check parses every non-test Go file under root, skipping testdata, hidden folders and those
// under internal/, and returns a Problem for each exported top-level function, method of an
// exported type, type, constant and variable whose doc comment does not start with its name. A
// constant or variable in a parenthesised group needs a doc comment of its own (a comment above
// it, or one at the end of its line); the group's comment does not count.
func Check(root string) ([]Problem, error) {
	var problems []Problem
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "internal" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		problems = append(problems, checkFile(fset, f)...)
		return nil
	})
	return problems, err
}

func checkFile(fset *token.FileSet, f *ast.File) []Problem {
	var out []Problem
	report := func(pos token.Pos, name string, doc *ast.CommentGroup, want ...string) {
		text := ""
		if doc != nil {
			text = strings.TrimSpace(doc.Text())
		}
		for _, w := range want {
			if strings.HasPrefix(text, w) && (len(text) == len(w) || !isIdent(text[len(w)])) {
				return
			}
		}
		first, _, _ := strings.Cut(text, "\n")
		out = append(out, Problem{Pos: fset.Position(pos).String(), Name: name, Doc: first})
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			name := d.Name.Name
			if d.Recv != nil {
				recv := receiverType(d.Recv.List[0].Type)
				if !ast.IsExported(recv) {
					continue
				}
				name = recv + "." + name
			}
			report(d.Pos(), name, d.Doc, d.Name.Name)
		case *ast.GenDecl:
			grouped := d.Lparen.IsValid()
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					doc := s.Doc
					if doc == nil && !grouped {
						doc = d.Doc
					}
					report(s.Pos(), s.Name.Name, doc, s.Name.Name)
				case *ast.ValueSpec:
					var names []string
					for _, n := range s.Names {
						if n.IsExported() {
							names = append(names, n.Name)
						}
					}
					if len(names) == 0 {
						continue
					}
					doc := s.Doc
					if doc == nil && !grouped {
						doc = d.Doc
					}
					if doc == nil {
						doc = s.Comment
					}
					report(s.Pos(), strings.Join(names, ", "), doc, names...)
				}
			}
		}
	}
	return out
}

// receiverType returns the name of a method's receiver type: T for T, *T, T[P] and *T[P].
func receiverType(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

func isIdent(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
