"""The user's own audio: sound devices, the jitter buffer, echo cancellation and tones."""
