package gcal

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
)

// Channel is a push notification channel Google opened on the calendar's events.
type Channel struct {
	ID         string
	ResourceID string // needed, with ID, to stop it
	Expiration time.Time
}

// Watch asks Google to POST to address whenever the calendar's events
// change, for ttl (Google may give less; see the answer's Expiration). The
// notifications carry channelID and channelToken, to tell ours from forged
// ones; they say only that something changed: a Sync reads what.
func (c *Client) Watch(ctx context.Context, channelID, channelToken, address string, ttl time.Duration) (Channel, error) {
	req := &calendar.Channel{
		Id: channelID, Type: "web_hook", Address: address, Token: channelToken,
		Params: map[string]string{"ttl": strconv.FormatInt(int64(ttl/time.Second), 10)},
	}
	ch, err := c.svc.Events.Watch(c.calendarID, req).Context(ctx).Do()
	if err != nil {
		return Channel{}, failed("watch events", err)
	}
	// Google gives the expiration in milliseconds since the epoch.
	return Channel{ID: ch.Id, ResourceID: ch.ResourceId, Expiration: time.UnixMilli(ch.Expiration)}, nil
}

// StopChannel ends a channel's notifications; one Google no longer knows
// (stopped or expired) is not an error.
func (c *Client) StopChannel(ctx context.Context, channelID, resourceID string) error {
	err := c.svc.Channels.Stop(&calendar.Channel{Id: channelID, ResourceId: resourceID}).Context(ctx).Do()
	var gerr *googleapi.Error
	if errors.As(err, &gerr) && gerr.Code == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return failed("stop channel "+channelID, err)
	}
	return nil
}
