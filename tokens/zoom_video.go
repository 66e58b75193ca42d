package tokens

import (
	_ "embed"
	"strings"
	"time"
)

// Zoom Video SDK signature, as Zoom's docs and official sample endpoint make
// it (Sources below): HS256, version 1, exp between 30 minutes and 48 hours
// after iat (default 2 hours), tpc at most 200 characters of a fixed set.
// The sample answers {"signature"} and refuses with 400
// {"errors":[{"property","reason"}]}.

//go:embed guides/zoom_video.md
var zoomVideoGuide string

var zoomGeoRegions = []string{"AU", "BR", "CA", "CN", "DE", "HK", "IN", "JP", "MX", "NL", "SG", "US"}

var zoomBinary = Limits{Enum: []string{"0", "1"}}

// zoomEnvelope is the sample's shape; every refusal uses its errors array,
// naming the request field where the value came from the request.
var zoomEnvelope = Envelope{
	Token: TokenJSON("signature"),
	Refusal: func(dst []byte, e *Error) ([]byte, int) {
		dst = append(dst, `{"errors":[{"property":`...)
		dst = appendString(dst, e.Field())
		dst = append(dst, `,"reason":`...)
		dst = appendString(dst, e.Reason)
		return append(dst, `}]}`...), e.Status
	},
}

// normalizeGeoRegions accepts what the sample accepts: a comma-separated
// string or an array of region codes, with white space stripped.
func normalizeGeoRegions(v Value) (Value, string) {
	items, ok := v.items()
	if !ok {
		return v, "must be a string or an array of strings"
	}
	if v.Kind == Scalar && len(items) == 1 {
		items = strings.Split(items[0], ",")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		it = strings.Join(strings.Fields(it), "")
		if it == "" {
			continue
		}
		if !contains(zoomGeoRegions, it) {
			return v, "may hold only " + strings.Join(zoomGeoRegions, ",")
		}
		out = append(out, it)
	}
	if len(out) == 0 {
		return v, "is present but holds no region"
	}
	return S(strings.Join(out, ",")), ""
}

func init() {
	Register(&Preset{
		Name:    "zoom_video",
		Summary: "Zoom Video SDK signature (the JWT passed to client.join)",
		Guide:   zoomVideoGuide,
		Sources: []string{
			"https://developers.zoom.us/docs/video-sdk/auth/",
			"https://github.com/zoom/videosdk-auth-endpoint-sample/blob/711e19835d5a5892d5d1bfe5b92221c396785513/src/index.js",
			"https://github.com/zoom/videosdk-auth-endpoint-sample/blob/9c2000d433609abd86a24bb25371adad4d20a675/src/validations.js",
		},
		Claims: []Claim{
			{Name: "app_key", Type: String, Key: true, Required: true, Doc: "the Video SDK key"},
			{Name: "role_type", Type: Int, Privileged: true, Required: true, Default: []string{"0"},
				Param: []string{"role"}, Limits: zoomBinary, Doc: "1 host or co-host, 0 participant"},
			{Name: "tpc", Type: String, Required: true, Param: []string{"sessionName"},
				Limits: Limits{MaxLen: 200, Chars: NewCharset("letters, digits, space and ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ , \\",
					"a-zA-Z0-9 !#$%&()+-:;<=.>?@[]^_{}|~,\\", false)},
				Doc: "the session name; must equal the topic passed to join()"},
			{Name: "version", Type: Int, Const: true, Default: []string{"1"}},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "user_identity", Type: String, User: true, Param: []string{"userIdentity"},
				Limits: Limits{MaxLen: 35, Chars: printable}},
			{Name: "user_key", Type: String, Limits: Limits{MaxLen: 36, Chars: printable},
				Doc: "the current docs' name for user_identity"},
			{Name: "session_key", Type: String, Param: []string{"sessionKey"},
				Limits: Limits{MaxLen: 36, Chars: printable}},
			{Name: "geo_regions", Type: String, Param: []string{"geoRegions"}, Normalize: normalizeGeoRegions},
			{Name: "cloud_recording_option", Type: Int, Param: []string{"cloudRecordingOption"}, Limits: zoomBinary},
			{Name: "cloud_recording_election", Type: Int, Param: []string{"cloudRecordingElection"}, Limits: zoomBinary},
			{Name: "telemetry_tracking_id", Type: String, Param: []string{"telemetryTrackingId"},
				Limits: Limits{MaxLen: 256, Chars: printable}},
			{Name: "video_webrtc_mode", Type: Int, Param: []string{"videoWebRtcMode"}, Limits: zoomBinary},
			{Name: "audio_webrtc_mode", Type: Int, Param: []string{"audioWebRtcMode", "audioCompatibleMode"}, Limits: zoomBinary},
			{Name: "cloud_recording_transcript_option", Type: Int, Limits: Limits{Enum: []string{"0", "1", "2"}}},
		},
		TTL:      TTL{Default: 2 * time.Hour, Min: 30 * time.Minute, Max: 48 * time.Hour, Param: "expirationSeconds"},
		Envelope: zoomEnvelope,
	})
}
