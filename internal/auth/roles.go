package auth

import "fmt"

// Role is a member's role in one organisation.
type Role string

const (
	RoleAdmin    Role = "ADMIN"    // everything: members, settings
	RoleOperator Role = "OPERATOR" // works the queues, approves, documents, calendar
	RoleClient   Role = "CLIENT"   // submits requests and sees only their own
)

var roleRank = map[Role]int{RoleClient: 1, RoleOperator: 2, RoleAdmin: 3}

// ParseRole accepts exactly the three role names.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if _, ok := roleRank[r]; !ok {
		return "", fmt.Errorf("must be one of ADMIN, OPERATOR, CLIENT")
	}
	return r, nil
}

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return roleRank[r] >= roleRank[min] }

// Lower returns the less powerful of two roles.
func Lower(a, b Role) Role {
	if roleRank[a] <= roleRank[b] {
		return a
	}
	return b
}
