package policy

// Action is one kind of operation. Resolvers pass exactly one to Authorize;
// several GraphQL operations may share an action (all of the desktop's calls
// are desktop.use). The values are the action column of policy.csv.
type Action string

// Tenants.
const (
	TenantCreate Action = "tenant.create" // createTenant; also applyTenant for a new slug
	TenantDelete Action = "tenant.delete" // deleteTenant
	TenantList   Action = "tenant.list"   // tenants
	TenantRead   Action = "tenant.read"   // tenant(id)
	TenantUpdate Action = "tenant.update" // updateTenant
	TenantApply  Action = "tenant.apply"  // applyTenant on an existing tenant
)

// Tenant configuration.
const (
	ProfileRead         Action = "profile.read"         // agentProfiles
	ProfileWrite        Action = "profile.write"        // create/update/deleteAgentProfile
	DialPlanRead        Action = "dialplan.read"        // dialPlans
	DialPlanWrite       Action = "dialplan.write"       // create/update/deleteDialPlan
	TeamRead            Action = "team.read"            // teams
	TeamWrite           Action = "team.write"           // create/update/deleteTeam, add/removeTeamMembers
	UserRead            Action = "user.read"            // user(id), users
	UserWrite           Action = "user.write"           // createUser, updateUser, deactivateUser
	UserImport          Action = "user.import"          // importUsers
	SkillProfileRead    Action = "skillprofile.read"    // skill profiles
	SkillProfileWrite   Action = "skillprofile.write"   // create/update/delete skill profiles
	BannerRead          Action = "banner.read"          // banners (the admin view)
	BannerWrite         Action = "banner.write"         // createBanner, resolveBanner
	ArtworkWrite        Action = "artwork.write"        // upload/removeActivityPageArtwork
	APITokenRead        Action = "apitoken.read"        // apiTokens
	APITokenWrite       Action = "apitoken.write"       // createApiToken, revokeApiToken
	AuditRead           Action = "audit.read"           // auditEvents
	SessionRead         Action = "session.read"         // desktopSessions
	SessionForceSignOut Action = "session.forceSignOut" // forceSignOut
	DiagnosticsRead     Action = "diagnostics.read"     // stationLoginDiagnostics
)

// The agent's own calls and the media platform's.
const (
	// DesktopUse covers station login, the desktop session, agent state,
	// sign-out, Teams authentication and the agent's own options. It needs a
	// user behind the call, so API tokens never get it.
	DesktopUse Action = "desktop.use"
	// SelfRead is `me`, and endSession (the caller's own session); like
	// DesktopUse it needs a user.
	SelfRead Action = "self.read"
	// InteractionRecord is recordInteraction, for the INTEGRATION role's API
	// token in its own tenant.
	InteractionRecord Action = "interaction.record"
)

var actions = []Action{
	TenantCreate, TenantDelete, TenantList, TenantRead, TenantUpdate, TenantApply,
	ProfileRead, ProfileWrite,
	DialPlanRead, DialPlanWrite,
	TeamRead, TeamWrite,
	UserRead, UserWrite, UserImport,
	SkillProfileRead, SkillProfileWrite,
	BannerRead, BannerWrite,
	ArtworkWrite,
	APITokenRead, APITokenWrite,
	AuditRead,
	SessionRead, SessionForceSignOut,
	DiagnosticsRead,
	DesktopUse, SelfRead, InteractionRecord,
}

// Actions returns every defined action, for tests that want completeness.
func Actions() []Action {
	return append([]Action(nil), actions...)
}

func (a Action) valid() bool {
	for _, b := range actions {
		if a == b {
			return true
		}
	}
	return false
}
