{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

{#- Supplementary measures (§3.5, weight 0): shown beside the index, never inside it. -#}

with settings as (

    select * from {{ ref('int_eval_settings') }}

),

theme_posts as (

    select city_code, platform, best_theme, cast(posts as {{ eval_double() }}) as posts
    from {{ eval_frozen('source_theme_posts') }}
    where best_theme in ('B', 'E', 'S', 'T')

),

theme_shares as (

    select
        city_code,
        platform,
        best_theme,
        posts / sum(posts) over (partition by city_code, platform) as share
    from theme_posts
    where posts > 0

),

-- H_BEST = -sum p ln p / ln 4; themes with no post contribute 0 (0 ln 0 = 0).
best_balance as (

    select
        city_code,
        platform,
        'h_best' as measure,
        0 - sum(share * ln(share)) / ln(4) as value
    from theme_shares
    group by city_code, platform

),

best_share_measures as (

    select
        city_code,
        platform,
        'best_share_' || lower(best_theme) as measure,
        share as value
    from theme_shares

),

search_results as (

    select * from {{ eval_frozen('source_search_results') }}

),

-- OS = official results among the top N of a city query / N, averaged over the city's queries.
official_search_share as (

    select
        search_results.city_code,
        search_results.platform,
        'official_search_share' as measure,
        avg(search_results.official_in_top_n / cast(settings.search_top_n as {{ eval_double() }})) as value
    from (
        select
            city_code,
            platform,
            keyword,
            sum(case when position <= (select search_top_n from settings) and is_official then 1 else 0 end)
                as official_in_top_n
        from search_results
        group by city_code, platform, keyword
    ) as search_results
    cross join settings
    group by search_results.city_code, search_results.platform

),

topic_measures as (

    select * from {{ eval_frozen('source_topic_measures') }}

),

topic_measure_rows as (

    select city_code, platform, 'topic_reads' as measure, cast(reads as {{ eval_double() }}) as value
    from topic_measures
    union all
    select city_code, platform, 'topic_reads_log_per_day', {{ eval_log1p('cast(reads as ' ~ eval_double() ~ ') / days') }}
    from topic_measures
    union all
    select city_code, platform, 'topic_discussions', cast(discussions as {{ eval_double() }})
    from topic_measures
    union all
    select city_code, platform, 'topic_discussions_log_per_day',
        {{ eval_log1p('cast(discussions as ' ~ eval_double() ~ ') / days') }}
    from topic_measures
    union all
    select city_code, platform, 'hot_search_entries', cast(hot_search_entries as {{ eval_double() }})
    from topic_measures
    union all
    select city_code, platform, 'hot_search_log', {{ eval_log1p('cast(hot_search_entries as ' ~ eval_double() ~ ')') }}
    from topic_measures

),

-- RR = curated hot events answered by an official account within the window / events.
hot_event_response as (

    select
        city_code,
        platform,
        'hot_event_response_rate' as measure,
        avg(case when answered then 1.0 else 0.0 end) as value
    from {{ eval_frozen('source_hot_events') }}
    group by city_code, platform

),

measures as (

    select * from best_balance
    union all
    select * from best_share_measures
    union all
    select * from official_search_share
    union all
    select * from topic_measure_rows
    union all
    select * from hot_event_response

),

final as (

    select
        {{ eval_run_id() }} as run_id,
        city_code,
        platform,
        measure,
        case measure
            when 'h_best' then 'BEST主题均衡度'
            when 'best_share_b' then 'BEST占比·城市音乐'
            when 'best_share_e' then 'BEST占比·本地饮食'
            when 'best_share_s' then 'BEST占比·景观景色'
            when 'best_share_t' then 'BEST占比·科技感'
            when 'official_search_share' then '搜索结果官方账号占比'
            when 'topic_reads' then '话题阅读量'
            when 'topic_reads_log_per_day' then '话题日均阅读量(对数)'
            when 'topic_discussions' then '话题讨论量'
            when 'topic_discussions_log_per_day' then '话题日均讨论量(对数)'
            when 'hot_search_entries' then '热搜上榜次数'
            when 'hot_search_log' then '热搜上榜(对数)'
            when 'hot_event_response_rate' then '热点事件响应率'
        end as measure_zh,
        cast(value as {{ eval_double() }}) as value
    from measures

)

select * from final
