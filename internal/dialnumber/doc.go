// Package dialnumber owns the rules for the numbers an agent's phone is
// reached at: reading an entered dial number into E.164, the countries of
// the station-login drop-down, extensions, and the dial-number validation of
// agent profiles (any format, dial plans, the provisioned default number).
// It knows nothing about GraphQL or storage; admin input (a user's default
// dial number, dial plans) and station login use the same functions, so a
// number is judged the same way everywhere.
//
// Numbers of every country are read with the numbering metadata of
// github.com/nyaruka/phonenumbers (Google's libphonenumber), never with a
// US-only pattern: rejecting valid non-US numbers is the complaint users of
// the product we follow make most.
//
// # Reading a dial number (Normalize)
//
// The entered text may contain digits, spaces, the separators ( ) - . /
// (Unicode spaces and dashes count as such: pasted numbers carry them) and
// a "+" before the first digit; anything else, letters in particular
// (vanity numbers), is refused with a reason, as is text longer than
// MaxLength. Then, depending on the international-format check box:
//
//   - On: the text is the national number of the chosen country (a trunk
//     prefix such as the 0 of GB "020 7946 0018" is fine), or a number with
//     "+" of that country. It must be valid for that country
//     (IsValidNumberForRegion): its length and its number range must exist.
//     A number of another country is refused with a reason naming it.
//   - Off: the text carries its own country code, after "+" (E.164) or after
//     the international (IDD) prefix of the tenant's default country, taken
//     from the library's metadata: 011 from the US and Canada, 00 from most
//     of Europe, 010 from Japan, 0011 (and its carrier variants) from
//     Australia. Anything else (a national number, a country code without
//     "+") is refused with a reason saying how to enter it. The number must
//     be valid (IsValidNumber), or — when it lies in no range the metadata
//     knows — its national number must have the length of a fixed-line or
//     mobile number of its country code.
//
// Why the second, weaker test with the box off: the agent typed the country
// code, so there is no country to get wrong, and a range check would refuse
// numbers in ranges the metadata does not know yet. The product's own
// example needs it: "01161123456789" dialled from the US is +61 1 2345 6789,
// which the library does not find valid (no Australian range starts with 1
// there) and which must be accepted; so must the contract's E.164 example
// +11234567890 (no area code starts with 1). Lengths of fixed-line and
// mobile numbers, rather than the library's IsPossibleNumber, keep out the
// short service numbers a plan allows ("+61 21234") and numbers without
// their area code. With the box on, a number of the right length in no
// known range is refused with a reason that tells the agent to enter it
// with "+" instead.
//
// Every accepted number is at most 15 digits (E.164) and reads back
// unchanged: Normalize(Input{Number: n}) == n for every n Normalize returns.
//
// # Dial plans
//
// A dial plan is tested against the normalized number, not the typed text;
// see Plan. Regular expressions are Go's RE2 and are compiled per check.
package dialnumber
