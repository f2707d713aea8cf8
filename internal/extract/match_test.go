package extract

import "testing"

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		field, got, want string
		ok               bool
	}{
		{FieldDate, "25 Dec 2018", "25/12/2018", true},
		{FieldDate, "26/12/2018", "25/12/2018", false},
		{FieldTotal, "RM 9.0", "9.00", true},
		{FieldTotal, "$8.20", "8.20", true},
		{FieldTotal, "8.21", "8.20", false},
		{FieldCompany, "  ABC  HO TRADING ", "ABC HO TRADING", true},
		{FieldCompany, "ABC HO TRADlNG", "ABC HO TRADING", false},
		{FieldCompany, "Gerbang Alaf Restaurants Sdn Bhd", "GERBANG ALAF RESTAURANTS SDN BHD", true},
		{FieldTotal, "9.00", "", false},
		{FieldTotal, "", "", true},
	} {
		if got := Match(c.field, c.got, c.want); got != c.ok {
			t.Errorf("Match(%s, %q, %q) = %v; want %v", c.field, c.got, c.want, got, c.ok)
		}
	}
}
