package desktop

import "strings"

// SupportedDesktopBrowsers names the browsers a DESKTOP (WebRTC) station
// works in, for the station-login page.
func SupportedDesktopBrowsers() []string { return []string{"Google Chrome", "Chromium"} }

// chromeProducts are the product tokens of Google Chrome and Chromium
// (HeadlessChrome is Chrome driven by automation, the same engine).
var chromeProducts = map[string]bool{"Chrome": true, "Chromium": true, "HeadlessChrome": true}

// otherBrands are the product tokens that browsers built on Chromium append
// after "Chrome/…": their User-Agent carries Chrome's token too, so it is
// their own token that tells them apart. Lower case; compared ignoring case.
var otherBrands = map[string]bool{
	"edg": true, "edge": true, "edga": true, "edgios": true, // Microsoft Edge (desktop, Android, iOS, legacy)
	"opr": true, "opera": true, "opt": true, "opios": true, "opx": true, // Opera, Opera Touch, Opera GX
	"samsungbrowser": true, "yabrowser": true, "ucbrowser": true, "vivaldi": true,
	"whale": true, "qqbrowser": true, "miuibrowser": true, "silk": true,
	"coc_coc_browser": true, "maxthon": true, "ddg": true, "duckduckgo": true,
}

// IsChrome reports whether a User-Agent header is Google Chrome or Chromium,
// the only browsers a DESKTOP (WebRTC) station is supported in.
//
// How browsers are told apart: a User-Agent is a list of product tokens
// ("Name/version") and comments in parentheses. Chrome sends
// "Mozilla/5.0 (…) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0
// Safari/537.36"; Chromium sends "Chromium/…" or the same as Chrome.
//   - Firefox ("Firefox/…") and Safari ("Version/17.4 Safari/…") carry no
//     Chrome token at all. Neither does Chrome on iOS ("CriOS/…"), which is
//     Safari's engine under Chrome's name, without Chrome's WebRTC stack.
//   - Browsers built on Chromium copy Chrome's token and add their own:
//     Edge "Edg/…", Opera "OPR/…", Samsung Internet, Yandex, Vivaldi… so a
//     Chrome token with one of those tokens is that other browser.
//
// Browsers that hide behind an unchanged Chrome User-Agent (Brave) cannot be
// told apart and pass; they run the same engine.
func IsChrome(userAgent string) bool {
	chrome := false
	for _, product := range productTokens(userAgent) {
		if otherBrands[strings.ToLower(product)] {
			return false
		}
		if chromeProducts[product] {
			chrome = true
		}
	}
	return chrome
}

// productTokens returns the product names of a User-Agent ("Mozilla",
// "AppleWebKit", "Chrome", "Safari", "Edg"), leaving out the comments in
// parentheses and tokens without a version.
func productTokens(ua string) []string {
	var out []string
	depth := 0
	var b strings.Builder
	flush := func() {
		tok := b.String()
		b.Reset()
		name, version, ok := strings.Cut(tok, "/")
		if ok && name != "" && version != "" {
			out = append(out, name)
		}
	}
	for _, r := range ua {
		switch {
		case r == '(':
			flush()
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case r == ' ' || r == '\t':
			flush()
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return out
}
