package emoji

import "testing"

func TestValid(t *testing.T) {
	for _, name := range []string{"smile", "thumbsup", "thumbsdown", "+1", "-1", "tada", "eyes", "100"} {
		if !Valid(name) {
			t.Errorf("Valid(%q) = false", name)
		}
	}
	for _, name := range []string{"", "not_an_emoji", ":smile:", "Smile", "smile ", "\x00"} {
		if Valid(name) {
			t.Errorf("Valid(%q) = true", name)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"+1": "thumbsup", "-1": "thumbsdown", "thumbsup": "thumbsup", "smile": "smile"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnicode(t *testing.T) {
	if got := Unicode("thumbsup"); got != "\U0001F44D" {
		t.Errorf("Unicode(thumbsup) = %q", got)
	}
	if got := Unicode("smile"); got != "\U0001F604" {
		t.Errorf("Unicode(smile) = %q", got)
	}
	if got := Unicode("nope"); got != "" {
		t.Errorf("Unicode(nope) = %q", got)
	}
}
