package admin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/schema"
	"github.com/agentdesk/agentdesk/ent/skillprofile"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// Limits of a skill profile.
const (
	maxSkillProfileNameLength = 80
	maxSkillsPerProfile       = 100
	maxSkillNameLength        = 80
	minProficiency            = 0
	maxProficiency            = 10
)

// SkillInput is one skill of a skill profile.
type SkillInput struct {
	Name        string `json:"name"`
	Proficiency int    `json:"proficiency"`
}

// CreateSkillProfileInput is a new skill profile.
type CreateSkillProfileInput struct {
	TenantID string
	Name     string
	Skills   []*SkillInput
}

// UpdateSkillProfileInput changes the fields it sets; Skills, when set,
// replaces all of the profile's skills.
type UpdateSkillProfileInput struct {
	Name   *string
	Skills []*SkillInput
}

// SkillProfileSettings is the complete configuration of a skill profile:
// what the mutations and provisioning write.
type SkillProfileSettings struct {
	Name   string
	Skills []schema.Skill
}

// SkillsOf turns input skills into stored ones (nil entries are skipped:
// GraphQL never sends them).
func SkillsOf(in []*SkillInput) []schema.Skill {
	out := make([]schema.Skill, 0, len(in))
	for _, s := range in {
		if s != nil {
			out = append(out, schema.Skill{Name: s.Name, Proficiency: s.Proficiency})
		}
	}
	return out
}

// ValidateSkillProfile checks and normalises a skill profile, and is the
// one statement of its rules (provisioning uses it too):
//   - name: 1..80 characters after trimming, one line (field "name");
//   - skills: 1..100 of them (field "skills"); each name 1..80 characters
//     after trimming and unique in the profile without regard to case, each
//     proficiency 0..10 (field "skills", the message names the skill).
//
// Uniqueness of the profile's name is the Tx functions' to check.
func ValidateSkillProfile(s SkillProfileSettings) (SkillProfileSettings, error) {
	var err error
	if s.Name, err = requireName("name", s.Name, maxSkillProfileNameLength); err != nil {
		return s, err
	}
	if len(s.Skills) == 0 {
		return s, apperr.Invalid("skills", "a skill profile needs at least one skill")
	}
	if len(s.Skills) > maxSkillsPerProfile {
		return s, apperr.Invalid("skills", fmt.Sprintf("a skill profile has at most %d skills", maxSkillsPerProfile))
	}
	skills := make([]schema.Skill, len(s.Skills))
	seen := make(map[string]bool, len(s.Skills))
	for i, sk := range s.Skills {
		name, err := requireName("skills", sk.Name, maxSkillNameLength)
		if err != nil {
			return s, apperr.Invalid("skills", fmt.Sprintf("skill %d: the name must be 1 to %d characters on one line", i+1, maxSkillNameLength))
		}
		key := strings.ToLower(name)
		if seen[key] {
			return s, apperr.Invalid("skills", fmt.Sprintf("skill %q is listed twice", name))
		}
		seen[key] = true
		if sk.Proficiency < minProficiency || sk.Proficiency > maxProficiency {
			return s, apperr.Invalid("skills", fmt.Sprintf("skill %q: proficiency must be between %d and %d", name, minProficiency, maxProficiency))
		}
		skills[i] = schema.Skill{Name: name, Proficiency: sk.Proficiency}
	}
	s.Skills = skills
	return s, nil
}

// CreateSkillProfileTx writes a new validated skill profile into tenantID;
// a name another skill profile of the tenant has (without case) is a
// CONFLICT on name.
func CreateSkillProfileTx(ctx context.Context, db *ent.Client, tenantID string, s SkillProfileSettings, now time.Time) (*ent.SkillProfile, error) {
	if err := skillProfileNameFree(ctx, db, tenantID, "", s.Name); err != nil {
		return nil, err
	}
	created, err := db.SkillProfile.Create().SetTenantID(tenantID).SetCreatedAt(now).SetUpdatedAt(now).
		SetName(s.Name).SetSkills(s.Skills).
		Save(ctx)
	return created, uniqueNameErr(err, "skill profile", s.Name)
}

// UpdateSkillProfileTx writes validated settings over p.
func UpdateSkillProfileTx(ctx context.Context, db *ent.Client, p *ent.SkillProfile, s SkillProfileSettings, now time.Time) (*ent.SkillProfile, error) {
	if err := skillProfileNameFree(ctx, db, p.TenantID, p.ID, s.Name); err != nil {
		return nil, err
	}
	updated, err := db.SkillProfile.UpdateOne(p).SetUpdatedAt(now).SetName(s.Name).SetSkills(s.Skills).Save(ctx)
	return updated, uniqueNameErr(err, "skill profile", s.Name)
}

func skillProfileNameFree(ctx context.Context, db *ent.Client, tenantID, self, name string) error {
	return requireNameFree(ctx, db.SkillProfile.Query().
		Where(skillprofile.TenantID(tenantID), skillprofile.NameEqualFold(name), skillprofile.IDNEQ(self)), "skill profile", name)
}

// CreateSkillProfile creates a skill profile in the input's tenant.
func (s *Service) CreateSkillProfile(ctx context.Context, in CreateSkillProfileInput) (*ent.SkillProfile, error) {
	if err := s.authorize(ctx, policy.SkillProfileWrite, in.TenantID); err != nil {
		return nil, err
	}
	settings, err := ValidateSkillProfile(SkillProfileSettings{Name: in.Name, Skills: SkillsOf(in.Skills)})
	if err != nil {
		return nil, err
	}
	var created *ent.SkillProfile
	err = s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		t, err := requireTenantTx(ctx, db, in.TenantID)
		if err != nil {
			return Event{}, err
		}
		if created, err = CreateSkillProfileTx(ctx, db, t.ID, settings, s.Now()); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.ID, Action: "createSkillProfile", TargetType: "SkillProfile", TargetID: created.ID,
			Summary: fmt.Sprintf("created skill profile %q with %s", created.Name, plural(len(created.Skills), "skill"))}, nil
	})
	if err != nil {
		return nil, err
	}
	return created.Unwrap(), nil
}

// UpdateSkillProfile changes a skill profile.
func (s *Service) UpdateSkillProfile(ctx context.Context, id string, in UpdateSkillProfileInput) (*ent.SkillProfile, error) {
	if _, err := s.loadSkillProfile(ctx, policy.SkillProfileWrite, id); err != nil {
		return nil, err
	}
	var updated *ent.SkillProfile
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		p, err := db.SkillProfile.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		settings := SkillProfileSettings{Name: p.Name, Skills: p.Skills}
		setIf(&settings.Name, in.Name)
		if in.Skills != nil {
			settings.Skills = SkillsOf(in.Skills)
		}
		if settings, err = ValidateSkillProfile(settings); err != nil {
			return Event{}, err
		}
		if updated, err = UpdateSkillProfileTx(ctx, db, p, settings, s.Now()); err != nil {
			return Event{}, err
		}
		return Event{TenantID: p.TenantID, Action: "updateSkillProfile", TargetType: "SkillProfile", TargetID: p.ID,
			Summary: fmt.Sprintf("updated skill profile %q", updated.Name)}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated.Unwrap(), nil
}

// DeleteSkillProfile deletes a skill profile no user holds. Like an agent
// profile, one that users hold is IN_USE: deleting it would silently
// leave their routing without skills.
func (s *Service) DeleteSkillProfile(ctx context.Context, id string) error {
	if _, err := s.loadSkillProfile(ctx, policy.SkillProfileWrite, id); err != nil {
		return err
	}
	return s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		p, err := tx.SkillProfile.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		if err := DeleteSkillProfileTx(ctx, tx.Client(), p); err != nil {
			return Event{}, err
		}
		return Event{TenantID: p.TenantID, Action: "deleteSkillProfile", TargetType: "SkillProfile", TargetID: p.ID,
			Summary: fmt.Sprintf("deleted skill profile %q", p.Name)}, nil
	})
}

// DeleteSkillProfileTx deletes p inside the caller's transaction; while
// users hold it the answer is IN_USE.
func DeleteSkillProfileTx(ctx context.Context, db *ent.Client, p *ent.SkillProfile) error {
	holders, err := db.User.Query().Where(user.TenantID(p.TenantID), user.SkillProfileID(p.ID)).Count(ctx)
	if err != nil {
		return err
	}
	if holders > 0 {
		return apperr.New(apperr.InUse, fmt.Sprintf(
			"skill profile %q is assigned to %s; assign them another skill profile first", p.Name, plural(holders, "user"))).
			With("users", holders)
	}
	return db.SkillProfile.DeleteOne(p).Exec(ctx)
}

// loadSkillProfile loads skill profile id and authorizes act on it
// (loadOwned).
func (s *Service) loadSkillProfile(ctx context.Context, act policy.Action, id string) (*ent.SkillProfile, error) {
	return loadOwned(ctx, s, act, id, s.DB.SkillProfile.Get, func(p *ent.SkillProfile) string { return p.TenantID })
}

// SkillProfile returns one skill profile the caller may read.
func (s *Service) SkillProfile(ctx context.Context, id string) (*ent.SkillProfile, error) {
	return s.loadSkillProfile(ctx, policy.SkillProfileRead, id)
}

// SkillProfilesQuery is a tenant's skill profiles whose name contains
// search (case-insensitively), for the caller to page through.
func (s *Service) SkillProfilesQuery(ctx context.Context, tenantID, search string) (*ent.SkillProfileQuery, error) {
	if err := s.authorizeList(ctx, policy.SkillProfileRead, tenantID); err != nil {
		return nil, err
	}
	q := s.DB.SkillProfile.Query().Where(skillprofile.TenantID(tenantID))
	if search = strings.TrimSpace(search); search != "" {
		q = q.Where(skillprofile.NameContainsFold(search))
	}
	return q, nil
}
