-- Sealed content: message content, conversation titles and the tenant's system prompt are stored as
-- AES-256-GCM ciphertext (see Bulkhead.Crypto.ContentCipher for the format), sealed by the server under the
-- tenant's and each user's keys, which live outside the database. A dump or backup holds no plain text.
--
-- Rows written before this migration keep their text, marked as version 0 (one zero byte before the UTF-8
-- text); they open as before until `./bulkhead keys rotate` seals them. Length limits on text move to the
-- API, which checks them before sealing.
alter table conversations drop constraint if exists conversations_title_check;
alter table conversations alter column title type bytea using '\x00'::bytea || convert_to(title, 'UTF8');
alter table messages alter column content type bytea using '\x00'::bytea || convert_to(content, 'UTF8');
alter table tenant_config drop constraint if exists tenant_config_system_prompt_check;
alter table tenant_config alter column system_prompt type bytea using '\x00'::bytea || convert_to(system_prompt, 'UTF8');

-- The blind index of conversation titles: one row per distinct normalised word of the title, as an HMAC
-- under the tenant's index key (never the word). A title search matches terms by equality.
create table conversation_terms (
    tenant_id       uuid not null,
    conversation_id uuid not null,
    term            bytea not null check (length(term) = 16),
    primary key (tenant_id, conversation_id, term),
    foreign key (tenant_id, conversation_id) references conversations (tenant_id, id) on delete cascade
);

create index conversation_terms_by_term on conversation_terms (tenant_id, term);
