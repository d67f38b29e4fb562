package dialnumber

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

func TestValidatePlan(t *testing.T) {
	valid := Plan{Name: "UK offices", RegularExpression: `44[0-9]{10}`, Prefix: "", StrippedChars: "+", Active: true}
	with := func(change func(*Plan)) Plan {
		p := valid
		change(&p)
		return p
	}
	tests := []struct {
		name   string
		plan   Plan
		field  string // "" when valid
		reason string
	}{
		{"valid", valid, "", ""},
		{"inactive is still checked", with(func(p *Plan) { p.Active = false; p.RegularExpression = "(" }), "regularExpression", "missing closing )"},
		{"name of 80 characters", with(func(p *Plan) { p.Name = strings.Repeat("é", 80) }), "", ""},
		{"empty name", with(func(p *Plan) { p.Name = "" }), "name", "Enter a name"},
		{"blank name", with(func(p *Plan) { p.Name = "  \t" }), "name", "Enter a name"},
		{"name of 81 characters", with(func(p *Plan) { p.Name = strings.Repeat("é", 81) }), "name", "at most 80"},
		{"empty regex", with(func(p *Plan) { p.RegularExpression = "" }), "regularExpression", "Enter a regular expression"},
		{"regex of 255 characters", with(func(p *Plan) { p.RegularExpression = strings.Repeat("1", 255) }), "", ""},
		{"regex of 256 characters", with(func(p *Plan) { p.RegularExpression = strings.Repeat("1", 256) }), "regularExpression", "at most 255"},
		{"unbalanced parenthesis", with(func(p *Plan) { p.RegularExpression = "(1[0-9]+" }), "regularExpression", "missing closing )"},
		{"unbalanced that anchoring would hide", with(func(p *Plan) { p.RegularExpression = "1)|(.*" }), "regularExpression", "unexpected )"},
		{"bad class", with(func(p *Plan) { p.RegularExpression = "[9-0]" }), "regularExpression", "invalid character class range"},
		{"trailing backslash", with(func(p *Plan) { p.RegularExpression = `1\` }), "regularExpression", "trailing backslash"},
		{"backreference (not RE2)", with(func(p *Plan) { p.RegularExpression = `(1)\1` }), "regularExpression", "invalid escape"},
		{"lookahead (not RE2)", with(func(p *Plan) { p.RegularExpression = `(?=1)1` }), "regularExpression", "invalid or unsupported Perl syntax"},
		{"repeat over 1000", with(func(p *Plan) { p.RegularExpression = `1{1001}` }), "regularExpression", "invalid repeat count"},
		{"nested repeats too large", with(func(p *Plan) { p.RegularExpression = `((((1{1000}){1000}){1000}){1000})` }), "regularExpression", "not valid"},
		{"prefix of 50", with(func(p *Plan) { p.Prefix = strings.Repeat("9", 50) }), "", ""},
		{"prefix of 51", with(func(p *Plan) { p.Prefix = strings.Repeat("9", 51) }), "prefix", "at most 50"},
		{"stripped chars of 128", with(func(p *Plan) { p.StrippedChars = strings.Repeat("-", 128) }), "", ""},
		{"stripped chars of 129", with(func(p *Plan) { p.StrippedChars = strings.Repeat("-", 129) }), "strippedChars", "at most 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePlan(tt.plan)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("ValidatePlan = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidatePlan = nil, want an error on %s", tt.field)
			}
			assertCode(t, err, apperr.Validation)
			e, _ := apperr.As(err)
			if e.Extensions["field"] != tt.field {
				t.Fatalf("field = %v, want %s (%s)", e.Extensions["field"], tt.field, e.Message)
			}
			if !strings.Contains(e.Message, tt.reason) {
				t.Fatalf("message %q does not say %q", e.Message, tt.reason)
			}
		})
	}
}

func TestDefaultPlansAreValid(t *testing.T) {
	plans := DefaultPlans()
	if len(plans) != 2 || plans[0].Name != "US" || plans[1].Name != "Any Format" {
		t.Fatalf("DefaultPlans() = %+v, want US and Any Format", plans)
	}
	for _, p := range plans {
		if err := ValidatePlan(p); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if !p.Active {
			t.Errorf("%s is not active", p.Name)
		}
	}
	plans[0].Name = "changed"
	if DefaultPlans()[0].Name != "US" {
		t.Fatal("changing a result changed the defaults")
	}
}

// TestPlanMatches runs plans against numbers as agents enter them, going
// through Normalize the way station login does.
func TestPlanMatches(t *testing.T) {
	us, anyFormat := DefaultPlans()[0], DefaultPlans()[1]
	webexUS := Plan{Name: "Webex US", RegularExpression: `1[0-9]{3}[2-9][0-9]{6}`, StrippedChars: "()-", Prefix: "1", Active: true}
	tests := []struct {
		name string
		plan Plan
		in   Input
		want bool
	}{
		{"US plan, E.164", us, Input{Number: "+1 (415) 555-0100"}, true},
		{"US plan, national with box on", us, Input{Number: "(415) 555-0100", InternationalFormat: true, Country: "US"}, true},
		{"US plan, IDD from GB", us, Input{Number: "00 1 415 555 0100", DefaultCountry: "GB"}, true},
		{"US plan, IDD from US", us, Input{Number: "011 1 415 555 0100"}, true},
		{"US plan, Canadian number (+1 too)", us, Input{Number: "+1 506 234 5678"}, true},
		{"US plan, GB number", us, Input{Number: "+44 20 7946 0018"}, false},
		{"US plan, GB number whose digits look national", us, Input{Number: "2079460018", InternationalFormat: true, Country: "GB"}, false},
		{"US plan, area code 123", us, Input{Number: "+11234567890"}, false},
		{"Webex US plan, E.164", webexUS, Input{Number: "+1 (415) 555-0100"}, true},
		{"Webex US plan, national", webexUS, Input{Number: "415.555.0100", InternationalFormat: true}, true},
		{"Webex US plan, IDD from AU", webexUS, Input{Number: "0011 1 415 555 0100", DefaultCountry: "AU"}, true},
		{"Webex US plan, AU number", webexUS, Input{Number: "+61 412 345 678"}, false},
		{"Any Format, AU", anyFormat, Input{Number: "+61 412 345 678"}, true},
		{"Any Format, contract example", anyFormat, Input{Number: "01161123456789"}, true},
		{"regex with +, not stripped", Plan{RegularExpression: `\+61[0-9]{9}`}, Input{Number: "0412 345 678", InternationalFormat: true, Country: "AU"}, true},
		{"regex without +, digits form", Plan{RegularExpression: `61[0-9]{9}`}, Input{Number: "+61 412 345 678"}, true},
		{"matched whole: no substring", Plan{RegularExpression: `61`}, Input{Number: "+61 412 345 678"}, false},
		{"matched whole: alternation stays anchored", Plan{RegularExpression: `1|61412345678`}, Input{Number: "+61 412 345 678"}, true},
		{"matched whole: alternation no substring", Plan{RegularExpression: `61|9`}, Input{Number: "+61 412 345 678"}, false},
		{"stripped chars remove digits", Plan{RegularExpression: `412345678`, StrippedChars: "+61"}, Input{Number: "+61 412 345 678"}, false},
		{"stripped chars remove country code digits", Plan{RegularExpression: `42345`, StrippedChars: "61+78"}, Input{Number: "+61 412 345 678"}, true},
		{"prefix in front", Plan{RegularExpression: `9011[0-9]+`, Prefix: "9011"}, Input{Number: "+44 20 7946 0018"}, true},
		{"prefix in front of the + form", Plan{RegularExpression: `0\+44[0-9]+`, Prefix: "0"}, Input{Number: "+44 20 7946 0018"}, true},
		{"prefix needed but absent", Plan{RegularExpression: `9011[0-9]+`}, Input{Number: "+44 20 7946 0018"}, false},
		{"uncompilable plan matches nothing", Plan{RegularExpression: `1)|(.*`}, Input{Number: "+44 20 7946 0018"}, false},
		{"empty plan matches nothing", Plan{}, Input{Number: "+44 20 7946 0018"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e164, err := Normalize(tt.in)
			if err != nil {
				t.Fatalf("Normalize(%+v): %v", tt.in, err)
			}
			if got := tt.plan.Matches(e164); got != tt.want {
				t.Fatalf("%+v.Matches(%s) = %v, want %v", tt.plan, e164, got, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	const (
		agentNumber = "+61412345678"
		otherNumber = "+442079460018"
	)
	us := DefaultPlans()[0]
	au := Plan{Name: "AU mobiles", RegularExpression: `614[0-9]{8}`, StrippedChars: "+", Active: true}
	inactiveAU := au
	inactiveAU.Active = false
	tests := []struct {
		name        string
		rule        Rule
		e164        string
		plans       []Plan
		provisioned string
		code        apperr.Code // "" when accepted
		reason      string
	}{
		{"any format", AnyFormat, otherNumber, nil, "", "", ""},
		{"any format ignores plans", AnyFormat, otherNumber, []Plan{us}, agentNumber, "", ""},
		{"dial plan, second plan matches", DialPlan, agentNumber, []Plan{us, au}, "", "", ""},
		{"dial plan, none matches", DialPlan, otherNumber, []Plan{us, au}, "", apperr.InvalidDialNumber, "+44 20 7946 0018 does not match any dial plan of your profile"},
		{"dial plan, inactive plan ignored", DialPlan, agentNumber, []Plan{us, inactiveAU}, "", apperr.InvalidDialNumber, "does not match any dial plan"},
		{"dial plan, only inactive plans", DialPlan, agentNumber, []Plan{inactiveAU}, "", apperr.InvalidDialNumber, "none of them is active"},
		{"dial plan, no plans", DialPlan, agentNumber, nil, "", apperr.InvalidDialNumber, "none of them is active"},
		{"dial plan, default plans", DialPlan, otherNumber, DefaultPlans(), "", "", ""},
		{"provisioned, same number", ProvisionedValue, agentNumber, nil, agentNumber, "", ""},
		{"provisioned, other number", ProvisionedValue, otherNumber, nil, agentNumber, apperr.DialNumberLocked, "your default dial number, +61 412 345 678"},
		{"provisioned, none set", ProvisionedValue, agentNumber, nil, "", apperr.DialNumberLocked, "none is set"},
		{"provisioned ignores plans", ProvisionedValue, otherNumber, DefaultPlans(), agentNumber, apperr.DialNumberLocked, "default dial number"},
		{"unknown rule", Rule("SOMETHING"), agentNumber, nil, "", apperr.Internal, ""},
		{"empty rule", Rule(""), agentNumber, nil, "", apperr.Internal, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.rule, tt.e164, tt.plans, tt.provisioned)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if got := apperr.CodeOf(err); got != tt.code {
				t.Fatalf("Check = %v (code %s), want code %s", err, got, tt.code)
			}
			if tt.reason != "" && !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("error %q does not say %q", err, tt.reason)
			}
		})
	}
}

// BenchmarkPlanMatches measures what compiling per check costs: one
// Matches compiles the plan and runs it on the two forms of the number.
func BenchmarkPlanMatches(b *testing.B) {
	us := DefaultPlans()[0]
	for b.Loop() {
		if !us.Matches("+14155550100") {
			b.Fatal("no match")
		}
	}
}

func BenchmarkCheckDialPlans(b *testing.B) {
	plans := []Plan{
		{Name: "UK", RegularExpression: `44[0-9]{10}`, StrippedChars: "+", Active: true},
		{Name: "DE", RegularExpression: `49[0-9]{6,13}`, StrippedChars: "+", Active: true},
		{Name: "AU", RegularExpression: `61[2-478][0-9]{8}`, StrippedChars: "+", Active: true},
		DefaultPlans()[0],
	}
	for b.Loop() {
		if err := Check(DialPlan, "+14155550100", plans, ""); err != nil {
			b.Fatal(err)
		}
	}
}
