package admin

import (
	"context"
	"fmt"
	"slices"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// UserRequest is one user a change asks for, as its caller read it:
// createUser's input, a row of an import file, a user of a tenant spec.
type UserRequest struct {
	// Email names the user: a stored user with this address is updated
	// (unless the change is CreateOnly), otherwise one is created.
	Email string
	// Edit lays the request over base, which is the stored user's settings
	// or NewUserDefaults, and returns the problems it met (a name that
	// resolves to nothing, a cell that is not a boolean). The result is
	// then checked by the user rules; Edit only translates.
	Edit func(base UserSettings) (UserSettings, []*apperr.Error)
	// PasswordHash is a new user's password (createUser only).
	PasswordHash *string
}

// UserChange is what a change of users is about.
type UserChange struct {
	// TenantID owns the users; "" plans a platform admin (createUser only).
	TenantID string
	// Rules are the tenant's user rules (LoadUserRules); nil without a
	// tenant.
	Rules *UserRules
	// CreateOnly makes an address that exists a conflict instead of an
	// update (createUser).
	CreateOnly bool
	// Ref names request i in a message about another request: "users[2]",
	// "row 3". nil names them "entry i".
	Ref func(i int) string
}

// UserPlan is a checked change of users, ready for WriteUserPlan.
type UserPlan struct {
	// Writes are the requests without problems, in request order; Request
	// holds the index in the requests of each.
	Writes  []UserWrite
	Request []int
	// Problems are the problems of each request with any, by request
	// index, with the fields of createUser's input (email, teamIds, …) or
	// the field Edit gave. A request with problems is not in Writes.
	Problems map[int][]*apperr.Error
}

// FirstProblem is the first problem of the first request that has one,
// and that request's index; nil when there is none. Callers that stop at
// one error (createUser, applyTenant) report this one.
func (p *UserPlan) FirstProblem() (int, *apperr.Error) {
	first := -1
	for i := range p.Problems {
		if first < 0 || i < first {
			first = i
		}
	}
	if first < 0 {
		return -1, nil
	}
	return first, p.Problems[first][0]
}

// NewUserDefaults are the settings a new user starts from before its
// request applies.
func NewUserDefaults() UserSettings {
	return UserSettings{Role: policy.Agent, Active: true, ContactCenterEnabled: true}
}

// PlanUsers is the one user-planning pipeline of createUser, importUsers
// and applyTenant, run inside the caller's transaction on db:
//
//  1. e-mail: each address is read as it is stored (CheckEmail);
//  2. de-duplication: an address given twice is a problem of the later one;
//  3. stored users with those addresses are loaded, in a few queries;
//  4. cross-tenant: an address of another organisation's user is a
//     CONFLICT, never an update;
//  5. settings: Edit over the stored or default settings, then the tenant's
//     rules (or the platform-admin rules without a tenant);
//  6. uniqueness: e-mail on the platform and default dial number in the
//     tenant, within the change and against what is stored (CheckUnique).
//
// Every request's problems are collected; Service.WriteUserPlan stores
// the rest (step 7) and sends the invitations asked for.
func PlanUsers(ctx context.Context, db *ent.Client, ch UserChange, reqs []UserRequest) (*UserPlan, error) {
	ref := ch.Ref
	if ref == nil {
		ref = func(i int) string { return fmt.Sprintf("entry %d", i) }
	}
	plan := &UserPlan{Problems: map[int][]*apperr.Error{}}
	fail := func(i int, errs ...*apperr.Error) { plan.Problems[i] = append(plan.Problems[i], errs...) }

	emails := make([]string, len(reqs))
	first := map[string]int{}
	var lookup []string
	for i, r := range reqs {
		email, err := CheckEmail(r.Email)
		if err != nil {
			continue // reported by the rules in step 5, with the request's other problems
		}
		if j, dup := first[email]; dup {
			fail(i, apperr.Invalid("email", fmt.Sprintf("%s is also %s; each user may appear once.", email, ref(j))))
			continue
		}
		first[email], emails[i] = i, email
		lookup = append(lookup, email)
	}
	var stored map[string]*ent.User
	if !ch.CreateOnly {
		var err error
		if stored, err = usersByEmail(ctx, db, lookup); err != nil {
			return nil, err
		}
	}

	var unique []PlannedUser
	numberOf := map[string]int{}
	for i, r := range reqs {
		if len(plan.Problems[i]) > 0 {
			continue
		}
		w := UserWrite{Settings: NewUserDefaults(), PasswordHash: r.PasswordHash}
		if u := stored[emails[i]]; u != nil {
			if userTenant(u) != ch.TenantID {
				fail(i, apperr.New(apperr.Conflict, emails[i]+" belongs to a user of another organisation.").With("field", "email"))
				continue
			}
			w.Existing = u
			for _, tm := range u.Edges.Teams {
				w.ExistingTeamIDs = append(w.ExistingTeamIDs, tm.ID)
			}
			w.Settings = SettingsOfUser(u, w.ExistingTeamIDs)
		}
		s, errs := ch.Settings(r, w.Settings)
		if len(errs) > 0 {
			fail(i, errs...)
			continue
		}
		if dn := s.DefaultDialNumber; dn != nil {
			if j, dup := numberOf[*dn]; dup {
				fail(i, apperr.New(apperr.Conflict, fmt.Sprintf("%s is also the default dial number of %s.", *dn, ref(j))).With("field", "defaultDialNumber"))
				continue
			}
			numberOf[*dn] = i
		}
		w.Settings = s
		plan.Writes = append(plan.Writes, w)
		plan.Request = append(plan.Request, i)
		p := PlannedUser{Settings: s}
		if w.Existing != nil {
			p.ID = w.Existing.ID
		}
		unique = append(unique, p)
	}

	conflicts, err := CheckUnique(ctx, db, ch.TenantID, unique)
	if err != nil {
		return nil, err
	}
	if len(conflicts) > 0 {
		var writes []UserWrite
		var request []int
		for k, w := range plan.Writes {
			if list := conflicts[k]; len(list) > 0 {
				fail(plan.Request[k], list...)
				continue
			}
			writes, request = append(writes, w), append(request, plan.Request[k])
		}
		plan.Writes, plan.Request = writes, request
	}
	return plan, nil
}

// Settings is step 5 of PlanUsers for one request: its Edit over base,
// then the tenant's rules (or, without a tenant, the platform-admin rules).
// Every problem is returned, Edit's first.
func (ch UserChange) Settings(r UserRequest, base UserSettings) (UserSettings, []*apperr.Error) {
	s, errs := r.Edit(base)
	if ch.Rules == nil {
		checked, err := checkPlatformAdmin(s)
		if err != nil {
			return s, append(errs, asProblem(err))
		}
		return checked, errs
	}
	s, ruleErrs := ch.Rules.Check(s)
	return s, append(errs, ruleErrs...)
}

// asProblem is err as a caller's problem; errors that are not one (which
// the rules never return) read as INTERNAL.
func asProblem(err error) *apperr.Error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	return apperr.New(apperr.Internal, err.Error())
}

// usersByEmail loads the users holding emails, on the whole platform, with
// their team ids.
func usersByEmail(ctx context.Context, db *ent.Client, emails []string) (map[string]*ent.User, error) {
	out := make(map[string]*ent.User, len(emails))
	for chunk := range slices.Chunk(emails, maxUniqueChunkSize) {
		users, err := db.User.Query().Where(user.EmailIn(chunk...)).
			WithTeams(func(q *ent.TeamQuery) { q.Select("id") }).
			All(policy.System(ctx, "e-mail addresses are unique across tenants"))
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			out[u.Email] = u
		}
	}
	return out, nil
}
