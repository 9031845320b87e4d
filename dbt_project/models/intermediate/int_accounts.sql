-- One row per account on a platform: latest profile, classification (registry first, then
-- transparent heuristics), city, and the public identifiers shown in marts (PIPL).
with profiles as (
    select
        platform, account_id, account_name, verified, verified_type, followers, description, location, observed_at,
        row_number() over (partition by platform, account_id order by observed_at desc, ingest_landed_at desc) as recency_rank
    from {{ ref('stg_account_observations') }}
),

latest_profiles as (
    select * from profiles where recency_rank = 1
),

-- the name on an account's latest post observation: only the observations at the account's latest
-- time are ranked (a window over every post observation sorted ~10M rows). The observations
-- are read twice rather than through one CTE, which DuckDB would materialise (10M rows copied).
latest_post_times as (
    select platform, account_id, max(observed_at) as observed_at
    from {{ ref('stg_post_observations') }}
    where account_id is not null
    group by platform, account_id
),

post_observations as (
    select platform, account_id, account_name, observed_at, ingest_landed_at
    from {{ ref('stg_post_observations') }}
    where account_id is not null
),

names_from_posts as (
    select
        post_observations.platform, post_observations.account_id, post_observations.account_name, post_observations.observed_at,
        row_number() over (
            partition by post_observations.platform, post_observations.account_id
            order by post_observations.ingest_landed_at desc
        ) as recency_rank
    from post_observations
    inner join latest_post_times
        on post_observations.platform = latest_post_times.platform
        and post_observations.account_id = latest_post_times.account_id
        and post_observations.observed_at = latest_post_times.observed_at
),

latest_post_names as (
    select * from names_from_posts where recency_rank = 1
),

daily_accounts as (
    select distinct platform, account_id from {{ ref('stg_account_daily') }}
),

-- an account known only from its audience exports still gets a row (fct_account_audience joins here)
audience_accounts as (
    select distinct platform, account_id from {{ ref('stg_audience_breakdown') }}
),

registry_versions as (
    select
        platform, account_id, account_name, city_code, account_type,
        row_number() over (
            partition by platform, account_id
            order by case when valid_to is null or valid_to >= current_date then 0 else 1 end, valid_from desc
        ) as version_rank
    from {{ ref('accounts') }}
    where valid_from <= current_date
),

registry as (
    select * from registry_versions where version_rank = 1
),

account_keys as (
    select platform, account_id from latest_profiles
    union
    select platform, account_id from latest_post_names
    union
    select platform, account_id from daily_accounts
    union
    select platform, account_id from audience_accounts
    union
    select platform, account_id from registry
),

accounts as (
    select
        account_keys.platform,
        account_keys.account_id,
        coalesce(latest_profiles.account_name, latest_post_names.account_name, registry.account_name) as account_name,
        latest_profiles.verified,
        latest_profiles.verified_type,
        latest_profiles.followers,
        latest_profiles.description,
        latest_profiles.location,
        registry.account_type as registry_account_type,
        registry.city_code as registry_city_code
    from account_keys
    left join latest_profiles
        on account_keys.platform = latest_profiles.platform and account_keys.account_id = latest_profiles.account_id
    left join latest_post_names
        on account_keys.platform = latest_post_names.platform and account_keys.account_id = latest_post_names.account_id
    left join registry
        on account_keys.platform = registry.platform and account_keys.account_id = registry.account_id
),

classified as (
    select
        accounts.*,
        case
            when registry_account_type is not null then 'registry'
            when {{ matches_pattern('verified_type', '政府|政务|机构|government|official') }} then 'verified_type_official'
            when {{ matches_pattern('account_name', '发布|文旅|融媒|公安|共青团|政务|文化和旅游') }} then 'name_official'
            when {{ matches_pattern('verified_type', '媒体|media|news') }} then 'verified_type_media'
            when {{ matches_pattern('account_name', '日报|晚报|电视台|新闻|广播|观察|时报') }} then 'name_media'
            when followers >= {{ var('influencer_min_followers') }} then 'followers_influencer'
            when {{ matches_pattern('verified_type', '个人|personal') }} then 'verified_type_personal'
            when verified = false and followers is not null then 'unverified_small_personal'
            else 'no_signal'
        end as classification_rule
    from accounts
),

typed as (
    select
        classified.*,
        case classification_rule
            when 'registry' then registry_account_type
            when 'verified_type_official' then 'official'
            when 'name_official' then 'official'
            when 'verified_type_media' then 'media'
            when 'name_media' then 'media'
            when 'followers_influencer' then 'influencer'
            when 'verified_type_personal' then 'personal'
            when 'unverified_small_personal' then 'personal'
            else 'unknown'
        end as account_type,
        case when classification_rule = 'registry' then 'registry' else 'heuristic' end as classification_source
    from classified
),

name_city_matches as (
    select
        typed.platform, typed.account_id, keywords.city_code,
        {{ keyword_match_rank(['typed.platform', 'typed.account_id']) }} as match_rank
    from typed
    inner join {{ ref('int_keyword_cities') }} as keywords
        on {{ contains_keyword("coalesce(typed.account_name, '')", 'keywords.keyword') }}
),

profile_city_matches as (
    select
        typed.platform, typed.account_id, keywords.city_code,
        {{ keyword_match_rank(['typed.platform', 'typed.account_id']) }} as match_rank
    from typed
    inner join {{ ref('int_keyword_cities') }} as keywords
        on {{ contains_keyword("coalesce(typed.description, '') || ' ' || coalesce(typed.location, '')", 'keywords.keyword') }}
),

final as (
    select
        {{ surrogate_key(['typed.platform', public_account_id('typed.account_id', 'typed.account_type')]) }} as account_key,
        typed.platform,
        typed.account_id,
        typed.account_name,
        {{ public_account_id('typed.account_id', 'typed.account_type') }} as account_id_public,
        {{ public_account_name('typed.account_id', 'typed.account_name', 'typed.account_type') }} as account_name_public,
        typed.account_type,
        typed.classification_source,
        typed.classification_rule,
        coalesce(typed.registry_city_code, name_city_matches.city_code, profile_city_matches.city_code) as city_code,
        case
            when typed.registry_city_code is not null then 'registry'
            when name_city_matches.city_code is not null then 'account_name_keyword'
            when profile_city_matches.city_code is not null then 'profile_keyword'
        end as city_source,
        typed.verified,
        typed.verified_type,
        typed.followers
    from typed
    left join name_city_matches
        on typed.platform = name_city_matches.platform and typed.account_id = name_city_matches.account_id
        and name_city_matches.match_rank = 1
    left join profile_city_matches
        on typed.platform = profile_city_matches.platform and typed.account_id = profile_city_matches.account_id
        and profile_city_matches.match_rank = 1
)

select * from final
