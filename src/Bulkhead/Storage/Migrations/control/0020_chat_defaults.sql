-- Chat defaults per plan. A tenant's own configuration overrides them; null here means the
-- server's built-in default (Bulkhead:Chat:DefaultModel, and so on).
alter table control.plans
    add column chat_model          text,
    add column chat_temperature    real check (chat_temperature between 0 and 2),
    add column chat_system_prompt  text check (length(chat_system_prompt) <= 8000),
    add column chat_retention_days integer check (chat_retention_days > 0),
    add column chat_models         text[];

update control.plans set chat_temperature = 0.7, chat_system_prompt = 'You are a helpful assistant.';
update control.plans set chat_retention_days = 30 where name = 'basic';
update control.plans set chat_retention_days = 365 where name = 'premium';
