package textsearch_test

import (
	"fmt"

	"github.com/deskkit/helpdesk/internal/textsearch"
)

func Example() {
	fmt.Println(textsearch.Fold("Müller: ÉCRAN noir, Łódź, Straße, Œuvre, Wi-Fi"))
	q := textsearch.ParseQuery("Écran no")
	fmt.Println(q.TSQuery(""))
	fmt.Println(q.TSQuery("ABC"))
	fmt.Println(q.FTS5("head", "body"))
	fmt.Println(textsearch.Vector(textsearch.Part{Text: "Pump alarm", Weight: textsearch.A},
		textsearch.Part{Text: "alarm again", Weight: textsearch.D}))
	// Output:
	// muller ecran noir lodz strasse oeuvre wi fi
	// 'ecran' & 'no':*
	// 'ecran':ABC & 'no':*ABC
	// {head body} : ("ecran" AND "no" *)
	// 'again':4 'alarm':2A,3 'pump':1A
}
