package admin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/dialplan"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/policy"
)

// CreateDialPlanInput is a new dial plan; a plan is active unless told.
type CreateDialPlanInput struct {
	TenantID          string
	Name              string
	RegularExpression string
	Prefix            *string
	StrippedChars     *string
	Active            *bool
}

// UpdateDialPlanInput changes the fields it sets and keeps the others.
type UpdateDialPlanInput struct {
	Name              *string
	RegularExpression *string
	Prefix            *string
	StrippedChars     *string
	Active            *bool
}

// DialPlanOf is the plan p stores, in dialnumber's terms.
func DialPlanOf(p *ent.DialPlan) dialnumber.Plan {
	return dialnumber.Plan{Name: p.Name, RegularExpression: p.RegularExpression, Prefix: p.Prefix,
		StrippedChars: p.StrippedChars, Active: p.Active}
}

// ValidateDialPlan checks and normalises a dial plan an admin or a
// provisioning spec writes: the name is trimmed, must be 1..80 characters
// on one line; then dialnumber.ValidatePlan decides the rest (a regular
// expression that does not compile or is longer than 255 characters is a
// VALIDATION_ERROR on regularExpression; prefix ≤ 50, strippedChars ≤ 128).
// Uniqueness of the name is CreateDialPlanTx's and UpdateDialPlanTx's.
func ValidateDialPlan(p dialnumber.Plan) (dialnumber.Plan, error) {
	var err error
	if p.Name, err = requireName("name", p.Name, 80); err != nil {
		return p, err
	}
	return p, dialnumber.ValidatePlan(p)
}

// CreateDialPlanTx writes a new validated plan into tenantID; a name
// another plan of the tenant has (without case) is a CONFLICT on name.
func CreateDialPlanTx(ctx context.Context, db *ent.Client, tenantID string, p dialnumber.Plan, now time.Time) (*ent.DialPlan, error) {
	if err := dialPlanNameFree(ctx, db, tenantID, "", p.Name); err != nil {
		return nil, err
	}
	created, err := db.DialPlan.Create().SetTenantID(tenantID).SetCreatedAt(now).SetUpdatedAt(now).
		SetName(p.Name).SetRegularExpression(p.RegularExpression).SetPrefix(p.Prefix).
		SetStrippedChars(p.StrippedChars).SetActive(p.Active).
		Save(ctx)
	return created, uniqueNameErr(err, "dial plan", p.Name)
}

// UpdateDialPlanTx writes a validated plan over dp. Deactivating the only
// active plan of a DIAL_PLAN profile is IN_USE, as deleting it is: that
// profile's agents could no longer log in with a dial number.
func UpdateDialPlanTx(ctx context.Context, db *ent.Client, dp *ent.DialPlan, p dialnumber.Plan, now time.Time) (*ent.DialPlan, error) {
	if err := dialPlanNameFree(ctx, db, dp.TenantID, dp.ID, p.Name); err != nil {
		return nil, err
	}
	if dp.Active && !p.Active {
		if err := requireNoSoleDependants(ctx, db, dp, "deactivate"); err != nil {
			return nil, err
		}
	}
	updated, err := db.DialPlan.UpdateOne(dp).SetUpdatedAt(now).
		SetName(p.Name).SetRegularExpression(p.RegularExpression).SetPrefix(p.Prefix).
		SetStrippedChars(p.StrippedChars).SetActive(p.Active).
		Save(ctx)
	return updated, uniqueNameErr(err, "dial plan", p.Name)
}

func dialPlanNameFree(ctx context.Context, db *ent.Client, tenantID, self, name string) error {
	return requireNameFree(ctx, db.DialPlan.Query().
		Where(dialplan.TenantID(tenantID), dialplan.NameEqualFold(name), dialplan.IDNEQ(self)), "dial plan", name)
}

// requireNoSoleDependants refuses with IN_USE when a DIAL_PLAN profile has
// dp as its only active plan: without dp, every dial number of its agents
// would fail. Profiles that hold dp beside another active plan just lose it.
func requireNoSoleDependants(ctx context.Context, db *ent.Client, dp *ent.DialPlan, verb string) error {
	names, err := db.AgentProfile.Query().
		Where(
			agentprofile.TenantID(dp.TenantID),
			agentprofile.DialNumberValidationEQ(agentprofile.DialNumberValidationDIAL_PLAN),
			agentprofile.HasDialPlansWith(dialplan.ID(dp.ID)),
			agentprofile.Not(agentprofile.HasDialPlansWith(dialplan.Active(true), dialplan.IDNEQ(dp.ID))),
		).
		Order(agentprofile.ByName()).
		Select(agentprofile.FieldName).Strings(ctx)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return nil
	}
	shown := names
	if len(shown) > 5 {
		shown = append(shown[:5:5], "…")
	}
	return apperr.New(apperr.InUse, fmt.Sprintf(
		"cannot %s dial plan %q: it is the only active dial plan of %s (%s), which validate numbers with DIAL_PLAN; give them another active plan first",
		verb, dp.Name, plural(len(names), "agent profile"), strings.Join(shown, ", "))).
		With("profiles", len(names))
}

// CreateDialPlan creates a plan in the input's tenant.
func (s *Service) CreateDialPlan(ctx context.Context, in CreateDialPlanInput) (*ent.DialPlan, error) {
	if err := s.authorize(ctx, policy.DialPlanWrite, in.TenantID); err != nil {
		return nil, err
	}
	plan := dialnumber.Plan{Name: in.Name, RegularExpression: in.RegularExpression, Active: true}
	setIf(&plan.Prefix, in.Prefix)
	setIf(&plan.StrippedChars, in.StrippedChars)
	setIf(&plan.Active, in.Active)
	plan, err := ValidateDialPlan(plan)
	if err != nil {
		return nil, err
	}
	var created *ent.DialPlan
	err = s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		t, err := requireTenantTx(ctx, db, in.TenantID)
		if err != nil {
			return Event{}, err
		}
		if created, err = CreateDialPlanTx(ctx, db, t.ID, plan, s.Now()); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.ID, Action: "createDialPlan", TargetType: "DialPlan", TargetID: created.ID,
			Summary: fmt.Sprintf("created dial plan %q", created.Name)}, nil
	})
	if err != nil {
		return nil, err
	}
	return created.Unwrap(), nil
}

// UpdateDialPlan changes a plan.
func (s *Service) UpdateDialPlan(ctx context.Context, id string, in UpdateDialPlanInput) (*ent.DialPlan, error) {
	if _, err := s.loadDialPlan(ctx, policy.DialPlanWrite, id); err != nil {
		return nil, err
	}
	var updated *ent.DialPlan
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		dp, err := db.DialPlan.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		plan := DialPlanOf(dp)
		setIf(&plan.Name, in.Name)
		setIf(&plan.RegularExpression, in.RegularExpression)
		setIf(&plan.Prefix, in.Prefix)
		setIf(&plan.StrippedChars, in.StrippedChars)
		setIf(&plan.Active, in.Active)
		if plan, err = ValidateDialPlan(plan); err != nil {
			return Event{}, err
		}
		if updated, err = UpdateDialPlanTx(ctx, db, dp, plan, s.Now()); err != nil {
			return Event{}, err
		}
		return Event{TenantID: dp.TenantID, Action: "updateDialPlan", TargetType: "DialPlan", TargetID: dp.ID,
			Summary: fmt.Sprintf("updated dial plan %q", updated.Name)}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated.Unwrap(), nil
}

// DeleteDialPlan deletes a plan; profiles that hold it lose it. It is
// IN_USE while a DIAL_PLAN profile has it as its only active plan.
func (s *Service) DeleteDialPlan(ctx context.Context, id string) error {
	if _, err := s.loadDialPlan(ctx, policy.DialPlanWrite, id); err != nil {
		return err
	}
	return s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		dp, err := db.DialPlan.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		if err := DeleteDialPlanTx(ctx, db, dp); err != nil {
			return Event{}, err
		}
		return Event{TenantID: dp.TenantID, Action: "deleteDialPlan", TargetType: "DialPlan", TargetID: dp.ID,
			Summary: fmt.Sprintf("deleted dial plan %q", dp.Name)}, nil
	})
}

// DeleteDialPlanTx deletes dp inside the caller's transaction, with the
// rule of deleteDialPlan (IN_USE while a DIAL_PLAN profile has it as its
// only active plan); applyTenant's prune deletes through it too.
func DeleteDialPlanTx(ctx context.Context, db *ent.Client, dp *ent.DialPlan) error {
	if err := requireNoSoleDependants(ctx, db, dp, "delete"); err != nil {
		return err
	}
	return db.DialPlan.DeleteOne(dp).Exec(ctx)
}

// loadDialPlan loads plan id and authorizes act on it (loadOwned).
func (s *Service) loadDialPlan(ctx context.Context, act policy.Action, id string) (*ent.DialPlan, error) {
	return loadOwned(ctx, s, act, id, s.DB.DialPlan.Get, func(p *ent.DialPlan) string { return p.TenantID })
}

// DialPlan returns one plan the caller may read.
func (s *Service) DialPlan(ctx context.Context, id string) (*ent.DialPlan, error) {
	return s.loadDialPlan(ctx, policy.DialPlanRead, id)
}

// DialPlansQuery is a tenant's plans whose name contains search
// (case-insensitively), for the caller to page through.
func (s *Service) DialPlansQuery(ctx context.Context, tenantID, search string) (*ent.DialPlanQuery, error) {
	if err := s.authorizeList(ctx, policy.DialPlanRead, tenantID); err != nil {
		return nil, err
	}
	q := s.DB.DialPlan.Query().Where(dialplan.TenantID(tenantID))
	if search = strings.TrimSpace(search); search != "" {
		q = q.Where(dialplan.NameContainsFold(search))
	}
	return q, nil
}
