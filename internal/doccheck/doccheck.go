// Package doccheck finds the exported names of the module that have no doc comment, so that go
// doc alone is enough to use the SDK. Its test runs it over the module. That a doc comment
// starts with its name is staticcheck's ST1020, ST1021 and ST1022 (enabled in staticcheck.conf);
// staticcheck does not flag a missing comment, which is all this package checks.
package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
)

// Problem is one exported name without a doc comment.
type Problem struct {
	Pos  string // file:line
	Name string // Name, or Type.Method
}

// Check parses every non-test Go file under root, skipping testdata, hidden folders and those
// under internal/, and returns a Problem for each exported top-level function, method of an
// exported type, type, constant and variable that has no doc comment. A constant or variable in
// a parenthesised group needs a comment of its own (above it, or at the end of its line); the
// group's comment does not count.
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
	report := func(pos token.Pos, name string, doc *ast.CommentGroup) {
		if doc == nil || strings.TrimSpace(doc.Text()) == "" {
			out = append(out, Problem{Pos: fset.Position(pos).String(), Name: name})
		}
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
			report(d.Pos(), name, d.Doc)
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
					report(s.Pos(), s.Name.Name, doc)
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
					report(s.Pos(), strings.Join(names, ", "), doc)
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
