package labtest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium (CI installs it) or another Chrome.
func chromiumPath() string {
	if p := os.Getenv("LABLET_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a real headless Chromium for t and returns a chromedp
// context; it is closed when t ends. Each call gets a fresh profile, so
// cookies never leak between browsers.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Fatal("labtest: no Chromium found (apt-get install chromium; .ci/run does)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("labtest: start Chromium: %v", err)
	}
	return ctx
}

// SignIn signs the browser in through the real sign-in page.
func (s *Server) SignIn(t testing.TB, ctx context.Context, login, password string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/users/sign_in"),
		chromedp.WaitVisible(chromedp.ID("user_login")),
		chromedp.SendKeys(chromedp.ID("user_login"), login),
		chromedp.SendKeys(chromedp.ID("user_password"), password),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="current-user"]`)),
	)
	if err != nil {
		t.Fatalf("labtest: sign in as %s: %v", login, err)
	}
}
