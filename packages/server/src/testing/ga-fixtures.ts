/**
 * Test support (not part of the package API): official payloads, copied verbatim from the
 * shared protocol fixtures (`ga_openapi_event_examples.openai-openapi.json` → `http.create_client_secret.schema_example`,
 * from openai/openai-openapi `RealtimeCreateClientSecretResponse`; and the 429 body from
 * `errors_http_and_event_payloads.json`, openai/openai-agents-js#1460).
 */

/** The official GA `POST /v1/realtime/client_secrets` 200 response example. */
export const GA_CLIENT_SECRET_EXAMPLE = {
  "value": "ek_68af296e8e408191a1120ab6383263c2",
  "expires_at": 1756310470,
  "session": {
    "type": "realtime",
    "object": "realtime.session",
    "id": "sess_C9CiUVUzUzYIssh3ELY1d",
    "model": "gpt-realtime-2025-08-25",
    "output_modalities": [
      "audio"
    ],
    "instructions": "You are a friendly assistant.",
    "tools": [],
    "tool_choice": "auto",
    "max_output_tokens": "inf",
    "tracing": null,
    "truncation": "auto",
    "prompt": null,
    "expires_at": 0,
    "audio": {
      "input": {
        "format": {
          "type": "audio/pcm",
          "rate": 24000
        },
        "transcription": null,
        "noise_reduction": null,
        "turn_detection": {
          "type": "server_vad",
          "threshold": 0.5,
          "prefix_padding_ms": 300,
          "silence_duration_ms": 200,
          "idle_timeout_ms": null,
          "create_response": true,
          "interrupt_response": true
        }
      },
      "output": {
        "format": {
          "type": "audio/pcm",
          "rate": 24000
        },
        "voice": "alloy",
        "speed": 1.0
      }
    },
    "include": null
  }
} as const;

/** A real 429 body from the Realtime API. */
export const QUOTA_429_BODY = {
  "error": {
    "message": "You exceeded your current quota, please check your plan and billing details.",
    "type": "insufficient_quota",
    "code": "insufficient_quota"
  }
} as const;
