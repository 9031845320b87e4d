-- Search result captures: for each city query keyword, the latest crawl in the window, its results
-- in file order (1 = top), and whether the result's account is one of the city's official accounts.
-- The observations of posts a search found, selected with semi-joins and materialised: joined
-- directly, DuckDB hashed every observation of the window to meet the few posts searches found.
with search_observations as materialized (
    select post_key, ingest_id, source_row, observed_at
    from fct_post_snapshot
    where post_key in (
            select post_key from dim_post where source_keyword in (select keyword from dim_city_keyword)
        )
        and observed_at >= cast($m_start as timestamptz)
        and observed_at < cast($cutoff as timestamptz)
),

search_rows as (
    select
        cast(city_keywords.city_code as varchar) as city_code,
        dim_post.platform,
        dim_post.source_keyword as keyword,
        search_observations.ingest_id,
        search_observations.source_row,
        search_observations.observed_at,
        dim_post.account_id
    from search_observations
    inner join dim_post on search_observations.post_key = dim_post.post_key
    inner join dim_city_keyword as city_keywords on dim_post.source_keyword = city_keywords.keyword
),

latest_capture as (
    select city_code, platform, keyword, arg_max(ingest_id, observed_at) as ingest_id
    from search_rows
    group by city_code, platform, keyword
)

select
    search_rows.city_code,
    search_rows.platform,
    search_rows.keyword,
    row_number() over (
        partition by search_rows.city_code, search_rows.platform, search_rows.keyword
        order by search_rows.source_row
    ) as position,
    search_rows.account_id,
    registry_accounts.account_id is not null as is_official
from search_rows
inner join latest_capture
    on search_rows.city_code = latest_capture.city_code
    and search_rows.platform = latest_capture.platform
    and search_rows.keyword = latest_capture.keyword
    and search_rows.ingest_id = latest_capture.ingest_id
left join registry_accounts
    on search_rows.platform = registry_accounts.platform
    and search_rows.account_id = registry_accounts.account_id
    and search_rows.city_code = registry_accounts.city_code
order by 1, 2, 3, 4
