package notify

import (
	_ "embed"
	htmltemplate "html/template"
	"regexp"
	"strings"
	"sync"
)

//go:embed defaults/layout.html
var layoutSource string

// defaultLayout is the HTML an e-mail gets when its template has no HTML body of its own.
var defaultLayout = sync.OnceValue(func() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("layout").Parse(layoutSource))
})

// Pieces of the layout: a paragraph is lines, a line is text and links.
type (
	layoutPiece struct{ Text, URL string }
	layoutLine  []layoutPiece
	layoutPara  []layoutLine
	layoutPage  struct {
		Subject     string
		HeaderImage string
		Paragraphs  []layoutPara
	}
)

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)\]]`)

// layoutData splits a rendered text body into paragraphs (blank lines), lines and links, which
// the layout escapes and links.
func layoutData(r Rendered) layoutPage {
	p := layoutPage{Subject: r.Subject, HeaderImage: r.HeaderImage}
	for _, para := range strings.Split(strings.ReplaceAll(r.Text, "\r\n", "\n"), "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		var lp layoutPara
		for _, line := range strings.Split(para, "\n") {
			var ll layoutLine
			last := 0
			for _, m := range linkPattern.FindAllStringIndex(line, -1) {
				if m[0] > last {
					ll = append(ll, layoutPiece{Text: line[last:m[0]]})
				}
				ll = append(ll, layoutPiece{Text: line[m[0]:m[1]], URL: line[m[0]:m[1]]})
				last = m[1]
			}
			if last < len(line) {
				ll = append(ll, layoutPiece{Text: line[last:]})
			}
			lp = append(lp, ll)
		}
		p.Paragraphs = append(p.Paragraphs, lp)
	}
	return p
}
