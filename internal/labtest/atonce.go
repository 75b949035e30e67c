package labtest

import "sync"

// AtOnce calls f(0) … f(n-1) each in its own goroutine and returns their
// errors, by k, once all have returned: the requests a concurrency test
// races against each other.
func AtOnce(n int, f func(k int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = f(k)
		}()
	}
	wg.Wait()
	return errs
}
