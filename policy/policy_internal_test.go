package policy

import "testing"

// TestPolicyFileNamesEveryAction fails when an action is added to Actions()
// without its lines in policy.csv, or policy.csv names one Actions() lacks.
func TestPolicyFileNamesEveryAction(t *testing.T) {
	rules, err := parsePolicy(policyCSV)
	if err != nil {
		t.Fatalf("policy.csv: %v", err)
	}
	named := make(map[Action]bool)
	for _, r := range rules {
		named[Action(r[2])] = true
	}
	for _, a := range Actions() {
		if !named[a] {
			t.Errorf("action %q has no line in policy.csv", a)
		}
		delete(named, a)
	}
	for a := range named {
		t.Errorf("policy.csv names %q, which Actions() does not list", a)
	}
}

func TestActionsAreDistinct(t *testing.T) {
	seen := make(map[Action]bool)
	for _, a := range Actions() {
		if seen[a] {
			t.Errorf("action %q listed twice", a)
		}
		seen[a] = true
	}
	// Callers get a copy: changing it must not change the package's list.
	got := Actions()
	got[0] = "tampered"
	if Actions()[0] == "tampered" {
		t.Error("Actions() returns the package's own slice")
	}
}

// A policy.csv that New cannot understand must stop the server, not quietly
// grant or deny something.
func TestNewRejectsBadPolicy(t *testing.T) {
	good := "p, TENANT_ADMIN, own, team.read, any\n"
	if _, err := newEnforcer(modelConf, good); err != nil {
		t.Fatalf("a good one-line policy: %v", err)
	}
	bad := map[string]string{
		"unknown role":            "p, OWNER, own, team.read, any\n",
		"unknown action":          "p, TENANT_ADMIN, own, team.raed, any\n",
		"unknown scope":           "p, TENANT_ADMIN, mine, team.read, any\n",
		"wildcard for admin":      "p, TENANT_ADMIN, *, team.read, any\n",
		"unknown channel":         "p, TENANT_ADMIN, own, team.read, web\n",
		"missing channel":         "p, TENANT_ADMIN, own, team.read\n",
		"extra column":            "p, TENANT_ADMIN, own, team.read, any, deny\n",
		"grouping line":           "g, alice, TENANT_ADMIN, acme, any\n",
		"second line, same grant": "p, TENANT_ADMIN, own, team.read, session\n",
	}
	for name, text := range bad {
		if _, err := newEnforcer(modelConf, good+text); err == nil {
			t.Errorf("%s: New accepted %q", name, text)
		}
	}
	if _, err := newEnforcer(modelConf, "# nothing\n"); err == nil {
		t.Error("New accepted a policy that grants nothing")
	}
	if _, err := newEnforcer("[matchers]\nm = r.x ==", good); err == nil {
		t.Error("New accepted a broken model")
	}
}

// TestRememberedDecisionsAreCasbins: the answers enforce remembers are
// casbin's own for every role, channel and action, whatever the tenants
// (own, another, none on either side), asked in either order so that a
// remembered answer is reused across tenants.
func TestRememberedDecisionsAreCasbins(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tenants := [][2]string{{"t1", "t1"}, {"t1", "t2"}, {"t1", ""}, {"", "t1"}, {"", ""}, {"t2", "t2"}, {"t2", "t1"}}
	for pass := range 2 {
		for _, r := range Roles() {
			for _, via := range []string{viaSession, viaToken} {
				for _, act := range Actions() {
					for _, tt := range tenants {
						want, err := e.casbin.Enforce(string(r), via, tt[0], tt[1], string(act))
						if err != nil {
							t.Fatal(err)
						}
						got, err := e.enforce(r, via, tt[0], tt[1], act)
						if err != nil || got != want {
							t.Fatalf("pass %d: %s %s %s viewer %q object %q: remembered %v (%v), casbin %v", pass, r, via, act, tt[0], tt[1], got, err, want)
						}
					}
				}
			}
		}
	}
}
