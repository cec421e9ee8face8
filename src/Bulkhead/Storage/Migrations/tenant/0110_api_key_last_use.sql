-- When each API key was last used, to the minute: the door's authentication writes it at most once a
-- minute per key (the check that reads the key's hash reads this too), so a busy key costs no write
-- per request.
alter table api_keys add column last_used_at timestamptz;
