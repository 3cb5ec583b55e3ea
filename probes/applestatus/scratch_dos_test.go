package applestatus

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestScratchDoS(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"services":[{"serviceName":"A","events":[`)
	for i := 0; b.Len() < MaxBodySize-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"messageId":"%d"}`, i)
	}
	b.WriteString(`]}]}`)
	start := time.Now()
	s, err := Parse([]byte(b.String()))
	t.Log("many events one service", len(s.Events), err, time.Since(start))

	b.Reset()
	b.WriteString(`{"services":[`)
	for i := 0; b.Len() < MaxBodySize-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"serviceName":"%d","events":[{"messageId":"1"}]}`, i)
	}
	b.WriteString(`]}`)
	start = time.Now()
	s, err = Parse([]byte(b.String()))
	t.Log("one event many services", len(s.Services), err, time.Since(start))

	b.Reset()
	b.WriteString(`{"services":[{"serviceName":"A","events":[{"messageId":"1","affectedServices":[`)
	for i := 0; b.Len() < MaxBodySize-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%d"`, i)
	}
	b.WriteString(`]}]}]}`)
	start = time.Now()
	s, err = Parse([]byte(b.String()))
	t.Log("many affected", len(s.Events[0].AffectedServices), err, time.Since(start))
}
