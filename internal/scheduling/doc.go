// Package scheduling computes when an operator can be booked: availability
// rules (weekly windows in the operator's own time zone, date overrides),
// their validation, and free slots after busy time, buffers, notice, horizon
// and daily limits. It is pure computation: no database, no HTTP, no clock of
// its own (callers pass Now), so the API, the booking validators and the
// workflows all agree on what is free.
//
// Local days are stepped as civil dates and each window is built with
// time.Date in the operator's zone, so daylight-saving changes never move a
// 09:00 window; candidate starts step in local wall time from the window's
// start, wall times that do not exist (spring forward) are skipped, and each
// wall time yields one instant, so the repeated hour (fall back) is offered
// once.
package scheduling
