"""Call transcripts made on this machine: recording channels in, turns and a summary out."""
