package tokens

import (
	_ "embed"
	"time"
)

// Zoom Meeting SDK signature, as Zoom's docs and official sample endpoint
// make it (Sources below; sdkKey in the answer since the sample's 546b7e6,
// video_webrtc_mode since its 972c078): HS256 with the SDK secret over
// appKey and sdkKey (both the SDK key or Client ID), mn and role for the web
// SDK, iat, exp (default 2 hours, at least 30 minutes, less than 48 hours
// after iat) and tokenExp = exp. The sample takes POST {meetingNumber, role,
// expirationSeconds?, videoWebRtcMode?}, where meetingNumber and role come
// both (a web JWT) or neither (a native JWT, without mn and role); it
// answers {"signature", "sdkKey"} and refuses with the same 400
// {"errors":[{"property","reason"}]} as the Video SDK sample, whose envelope
// this preset shares.
//
// Readings where the sources are loose: the sample passes meetingNumber
// through as the body gives it; the README calls it a string, so mn is
// always written as a string of digits (a JSON number in the body becomes
// "123456789"). When the config pins mn (`claim mn ...`), the request may
// give role alone. A token without mn carries no role: role is web only.

//go:embed guides/zoom_meeting.md
var zoomMeetingGuide string

// zoomMeetingSchemaRule is the sample's reason for its both-or-neither rule,
// reported under its property "$schema".
const zoomMeetingSchemaRule = "If one of the following properties is present, all or none must be present: meetingNumber, role"

// zoomMeetingEnvelope is the sample's answer, {"signature", "sdkKey"}, with
// zoom_video's refusals.
var zoomMeetingEnvelope = Envelope{
	Token: func(dst []byte, t *Minted) []byte {
		dst = append(dst, `{"signature":`...)
		dst = appendString(dst, t.Token)
		dst = append(dst, `,"sdkKey":`...)
		dst = appendString(dst, t.Key)
		return append(dst, '}')
	},
	Refusal: zoomEnvelope.Refusal,
}

// zoomMeetingFinish applies the sample's rule that meetingNumber and role
// come together, and drops role from a native token (one without mn).
func zoomMeetingFinish(m *Mint) *Error {
	_, hasMN := m.Get("mn")
	_, mnGiven, err := m.Param("meetingNumber")
	if err != nil {
		return err
	}
	_, roleGiven, err := m.Param("role")
	if err != nil {
		return err
	}
	switch {
	case mnGiven && !roleGiven, roleGiven && !mnGiven && !hasMN:
		return Invalid("", "$schema", zoomMeetingSchemaRule)
	case mnGiven && !hasMN:
		return Invalid("mn", "meetingNumber", "is empty")
	}
	if !hasMN {
		m.Unset("role")
	}
	return nil
}

func init() {
	Register(&Preset{
		Name:    "zoom_meeting",
		Summary: "Zoom Meeting SDK signature (the JWT passed to join())",
		Guide:   zoomMeetingGuide,
		Sources: []string{
			"https://developers.zoom.us/docs/meeting-sdk/auth/",
			"https://developers.zoom.us/blog/create-sample-jwt-meeting-sdk",
			"https://github.com/zoom/meetingsdk-auth-endpoint-sample/blob/546b7e630928f91635b9bfdda5b8a593235152f9/src/index.js",
			"https://github.com/zoom/meetingsdk-auth-endpoint-sample/blob/20910bc22c82df41cc8230b408767622ebf6486b/src/validations.js",
			"https://github.com/zoom/meetingsdk-auth-endpoint-sample/blob/c6b90b3b851846987626bff7b310ae3a767db57f/README.md",
		},
		Claims: []Claim{
			{Name: "appKey", Type: String, Key: true, Required: true, Doc: "the Meeting SDK key or Client ID"},
			{Name: "sdkKey", Type: String, Key: true, Required: true, Doc: "the same key (its legacy name)"},
			{Name: "mn", Type: String, Param: []string{"meetingNumber"},
				Limits: Limits{MaxLen: 20, Chars: NewCharset("digits", "0-9", false)},
				Doc:    "the meeting or webinar number (web SDK); absent in a native token"},
			{Name: "role", Type: Int, Privileged: true, Default: []string{"0"}, Param: []string{"role"},
				Limits: zoomBinary, Doc: "1 host, 0 participant; written only with mn"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "tokenExp", Type: Time, Gen: GenExpiry, Doc: "equal to exp"},
			{Name: "video_webrtc_mode", Type: Int, Param: []string{"videoWebRtcMode"}, Limits: zoomBinary},
		},
		TTL:      TTL{Default: 2 * time.Hour, Min: 30 * time.Minute, Max: 48 * time.Hour, Param: "expirationSeconds"},
		Finish:   zoomMeetingFinish,
		Envelope: zoomMeetingEnvelope,
	})
}
