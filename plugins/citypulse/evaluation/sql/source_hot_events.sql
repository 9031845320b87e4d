-- Curated hot events (index_hot_events seed): answered when an official account of the city posted
-- on the platform within the response window with the event keyword in its title or text.
with events as (
    select
        event_id,
        cast(city_code as varchar) as city_code,
        platform,
        keyword,
        timezone($tz, cast(event_at_local as timestamp)) as event_at
    from config_hot_events
    where cast(event_at_local as timestamp) >= cast($first_day as timestamp)
        and cast(event_at_local as timestamp) < cast($next_first_day as timestamp)
),

answers as (
    select distinct events.event_id
    from events
    inner join registry_accounts
        on events.city_code = registry_accounts.city_code and events.platform = registry_accounts.platform
    inner join dim_post
        on dim_post.platform = registry_accounts.platform and dim_post.account_id = registry_accounts.account_id
    where dim_post.published_at >= events.event_at
        and dim_post.published_at < events.event_at + to_hours(cast($response_hours as integer))
        and (contains(coalesce(dim_post.title, ''), events.keyword) or contains(coalesce(dim_post.text, ''), events.keyword))
)

select
    events.event_id,
    events.city_code,
    events.platform,
    answers.event_id is not null as answered
from events
left join answers on events.event_id = answers.event_id
order by events.event_id
