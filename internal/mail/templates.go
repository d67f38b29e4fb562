package mail

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

// The two messages of the product. The subject never holds the code: subjects
// show on lock screens and land in mail-server logs; the body is where a
// code belongs.

// PasswordResetCode is the message carrying a one-time password reset code.
func PasswordResetCode(to, code string, validFor time.Duration) Message {
	data := struct {
		Code     string
		ValidFor string
	}{code, humanDuration(validFor)}
	return Message{
		To:      to,
		Subject: "Your agentdesk confirmation code",
		Text:    render(resetText, data),
		HTML:    renderHTML(resetHTML, data),
	}
}

// Invitation welcomes a new user whom an admin created and gives the code
// that sets its first password; org is the organisation's name ("" for a
// platform admin).
func Invitation(to, name, org, code string, validFor time.Duration) Message {
	data := struct {
		Name, Org, Email, Code, ValidFor string
	}{name, org, to, code, humanDuration(validFor)}
	if data.Org == "" {
		data.Org = "agentdesk"
	}
	return Message{
		To:      to,
		Subject: "Welcome to agentdesk: choose your password",
		Text:    render(inviteText, data),
		HTML:    renderHTML(inviteHTML, data),
	}
}

// PasswordChanged tells the account's owner that its password changed at at,
// so that a change they did not make does not go unnoticed. The time is shown
// in UTC: the message cannot know the reader's zone.
func PasswordChanged(to string, at time.Time) Message {
	data := struct{ At string }{at.UTC().Format("Monday 2 January 2006 at 15:04 MST")}
	return Message{
		To:      to,
		Subject: "Your agentdesk password was changed",
		Text:    render(changedText, data),
		HTML:    renderHTML(changedHTML, data),
	}
}

// Parsed once; the templates are constants, so a parse error is a programming
// error caught by any test.
var (
	resetText = texttemplate.Must(texttemplate.New("reset").Parse(
		`Your agentdesk confirmation code is {{.Code}}

Enter this code in agentdesk to choose a new password. It is valid for {{.ValidFor}} and works once.

If you did not ask to reset your password, ignore this message: your password has not changed. Never share this code; nobody at your company or at agentdesk will ask you for it.
`))
	resetHTML = htmltemplate.Must(htmltemplate.New("reset").Parse(htmlLayout(
		`<p>Your agentdesk confirmation code is</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:4px;margin:16px 0">{{.Code}}</p>
<p>Enter this code in agentdesk to choose a new password. It is valid for {{.ValidFor}} and works once.</p>
<p style="color:#555">If you did not ask to reset your password, ignore this message: your password has not changed. Never share this code; nobody at your company or at agentdesk will ask you for it.</p>`)))

	inviteText = texttemplate.Must(texttemplate.New("invite").Parse(
		`Hello {{.Name}},

An administrator of {{.Org}} created an agentdesk account for you ({{.Email}}).

Your code to choose your password is {{.Code}}

In agentdesk, choose to set (reset) your password and enter your e-mail address, this code and your new password. The code is valid for {{.ValidFor}} and works once.

Never share this code; nobody at your company or at agentdesk will ask you for it.
`))
	inviteHTML = htmltemplate.Must(htmltemplate.New("invite").Parse(htmlLayout(
		`<p>Hello {{.Name}},</p>
<p>An administrator of {{.Org}} created an agentdesk account for you ({{.Email}}).</p>
<p>Your code to choose your password is</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:4px;margin:16px 0">{{.Code}}</p>
<p>In agentdesk, choose to set (reset) your password and enter your e-mail address, this code and your new password. The code is valid for {{.ValidFor}} and works once.</p>
<p style="color:#555">Never share this code; nobody at your company or at agentdesk will ask you for it.</p>`)))

	changedText = texttemplate.Must(texttemplate.New("changed").Parse(
		`The password of your agentdesk account was changed on {{.At}}.

If you made this change, there is nothing to do.
If you did not, contact your administrator now: someone else may be able to sign in as you.
`))
	changedHTML = htmltemplate.Must(htmltemplate.New("changed").Parse(htmlLayout(
		`<p>The password of your agentdesk account was changed on {{.At}}.</p>
<p>If you made this change, there is nothing to do.</p>
<p><strong>If you did not, contact your administrator now</strong>: someone else may be able to sign in as you.</p>`)))
)

func htmlLayout(body string) string {
	return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>agentdesk</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222">
` + body + `
</body>
</html>
`
}

// render executes a template whose data is built in this file; it cannot fail
// at run time, so a failure is a bug worth a panic.
func render(t *texttemplate.Template, data any) string {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic(fmt.Sprintf("mail: template %s: %v", t.Name(), err))
	}
	return b.String()
}

func renderHTML(t *htmltemplate.Template, data any) string {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic(fmt.Sprintf("mail: template %s: %v", t.Name(), err))
	}
	return b.String()
}

// humanDuration says how long a code stays valid in words: whole days or
// hours, else minutes rounded, else seconds.
func humanDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= day && d%day == 0:
		return plural(int(d/day), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int(d.Round(time.Minute)/time.Minute), "minute")
	default:
		return plural(int(d.Round(time.Second)/time.Second), "second")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
