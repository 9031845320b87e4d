-- Search result captures: for each city query keyword, the latest crawl in the window, its results
-- in file order (1 = top), and whether the result's account is one of the city's official accounts.
with search_rows as (
    select
        cast(city_keywords.city_code as varchar) as city_code,
        dim_post.platform,
        dim_post.source_keyword as keyword,
        fct_post_snapshot.ingest_id,
        fct_post_snapshot.source_row,
        fct_post_snapshot.observed_at,
        dim_post.account_id
    from fct_post_snapshot
    inner join dim_post on fct_post_snapshot.post_key = dim_post.post_key
    inner join dim_city_keyword as city_keywords on dim_post.source_keyword = city_keywords.keyword
    where fct_post_snapshot.observed_at >= cast($m_start as timestamptz)
        and fct_post_snapshot.observed_at < cast($cutoff as timestamptz)
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
