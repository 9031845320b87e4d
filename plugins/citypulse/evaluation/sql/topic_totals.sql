-- Topic reach T and the Weibo supplementary topic measures: growth of each city topic's
-- end-of-day cumulative reads/discussions over the month (a topic first seen in the month
-- counts from zero), and its hot-search list entries in the month.
create or replace temp table topic_totals as
with topic_growth as (
    select
        cast(city_code as varchar) as city_code,
        platform,
        topic_key,
        arg_max(reads, date_day) filter (where date_day >= cast($first_day as date) and reads is not null)
            as reads_end,
        arg_max(reads, date_day) filter (where date_day < cast($first_day as date) and reads is not null)
            as reads_before,
        arg_max(discussions, date_day) filter (
            where date_day >= cast($first_day as date) and discussions is not null) as discussions_end,
        arg_max(discussions, date_day) filter (
            where date_day < cast($first_day as date) and discussions is not null) as discussions_before,
        sum(hot_search_hits) filter (where date_day >= cast($first_day as date)) as hot_search_entries,
        count(*) filter (where date_day >= cast($first_day as date)) as days_observed
    from fct_topic_daily
    where city_code is not null and date_day < cast($next_first_day as date)
    group by city_code, platform, topic_key
)

select
    city_code,
    platform,
    sum(greatest(reads_end - coalesce(reads_before, 0), 0)) as topic_reach,
    sum(greatest(discussions_end - coalesce(discussions_before, 0), 0)) as discussions,
    sum(hot_search_entries) as hot_search_entries
from topic_growth
where days_observed > 0
group by city_code, platform
