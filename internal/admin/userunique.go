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

// maxUniqueChunkSize bounds the values of one IN (...) query, far below
// SQLite's variable limit.
const maxUniqueChunkSize = 500

type PlannedUser struct {
	ID       string
	Settings UserSettings
}

// CheckUnique finds the planned users whose e-mail or default dial number
// another user would also hold after the change: an e-mail of any user of
// the platform (CONFLICT, field email), a dial number of another user of the
// tenant (CONFLICT, field defaultDialNumber), or a value an earlier planned
// user holds. A stored user that is itself planned is judged by its planned
// settings, so two users may swap numbers. The result is by index in
// planned; the settings must have passed Check.
func CheckUnique(ctx context.Context, db *ent.Client, tenantID string, planned []PlannedUser) (map[int][]*apperr.Error, error) {
	out := map[int][]*apperr.Error{}
	inPlan := make(map[string]bool, len(planned))
	firstEmail := make(map[string]int, len(planned))
	firstNumber := map[string]int{}
	var emails, numbers []string
	for i, p := range planned {
		if p.ID != "" {
			inPlan[p.ID] = true
		}
		if _, dup := firstEmail[p.Settings.Email]; dup {
			out[i] = append(out[i], apperr.New(apperr.Conflict, fmt.Sprintf("The e-mail address %s is given twice in this change.", p.Settings.Email)).With("field", "email"))
		} else {
			firstEmail[p.Settings.Email] = i
			emails = append(emails, p.Settings.Email)
		}
		if dn := p.Settings.DefaultDialNumber; dn != nil {
			if _, dup := firstNumber[*dn]; dup {
				out[i] = append(out[i], apperr.New(apperr.Conflict, fmt.Sprintf("The dial number %s is given to two users in this change.", *dn)).With("field", "defaultDialNumber"))
			} else {
				firstNumber[*dn] = i
				numbers = append(numbers, *dn)
			}
		}
	}
	for chunk := range slices.Chunk(emails, maxUniqueChunkSize) {
		// E-mails are unique on the whole platform: look past the tenant
		// scope, reading only ids and addresses.
		holders, err := db.User.Query().Where(user.EmailIn(chunk...)).Select(user.FieldID, user.FieldEmail).
			All(policy.System(ctx, "e-mail addresses are unique across tenants"))
		if err != nil {
			return nil, err
		}
		for _, h := range holders {
			i := firstEmail[h.Email]
			if h.ID != planned[i].ID {
				out[i] = append(out[i], apperr.New(apperr.Conflict, fmt.Sprintf("A user with the e-mail address %s exists already.", h.Email)).With("field", "email"))
			}
		}
	}
	for chunk := range slices.Chunk(numbers, maxUniqueChunkSize) {
		holders, err := db.User.Query().
			Where(user.TenantID(tenantID), user.DefaultDialNumberIn(chunk...)).
			Select(user.FieldID, user.FieldDefaultDialNumber).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, h := range holders {
			if inPlan[h.ID] {
				continue // its planned settings count, checked above
			}
			i := firstNumber[*h.DefaultDialNumber]
			out[i] = append(out[i], apperr.New(apperr.Conflict, fmt.Sprintf("The dial number %s is the default dial number of another user.", *h.DefaultDialNumber)).With("field", "defaultDialNumber"))
		}
	}
	return out, nil
}
