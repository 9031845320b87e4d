{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with source_input as (

    select * from {{ eval_frozen('source_input') }}

),

platforms as (

    select * from {{ eval_frozen('config_platforms') }}

),

-- E sums only the components the config names for the platform; an unknown component stays
-- unknown (NULL), it never silently counts as zero.
with_engagements as (

    select
        source_input.*,
        case when platforms.engagement_likes then source_input.likes else 0 end
        + case when platforms.engagement_comments then source_input.comments else 0 end
        + case when platforms.engagement_shares then source_input.shares else 0 end
        + case when platforms.engagement_saves then source_input.saves else 0 end as engagements,
        -- posts with every counted engagement component known
        least(
            case when platforms.engagement_likes then source_input.posts_with_likes end,
            case when platforms.engagement_comments then source_input.posts_with_comments end,
            case when platforms.engagement_shares then source_input.posts_with_shares end,
            case when platforms.engagement_saves then source_input.posts_with_saves end
        ) as posts_with_engagements
    from source_input
    inner join platforms on source_input.platform = platforms.platform

),

final as (

    select
        {{ eval_run_id() }} as run_id,
        city_code,
        platform,
        has_account,
        cast(days as {{ dbt.type_int() }}) as days,
        cast(posts as {{ dbt.type_bigint() }}) as posts,
        cast(views as {{ dbt.type_bigint() }}) as views,
        cast(peak_views as {{ dbt.type_bigint() }}) as peak_views,
        cast(engagements as {{ dbt.type_bigint() }}) as engagements,
        cast(followers_start as {{ dbt.type_bigint() }}) as followers_start,
        cast(followers_end as {{ dbt.type_bigint() }}) as followers_end,
        cast(topic_reach as {{ dbt.type_bigint() }}) as topic_reach,
        cast(likes as {{ dbt.type_bigint() }}) as likes,
        cast(comments as {{ dbt.type_bigint() }}) as comments,
        cast(shares as {{ dbt.type_bigint() }}) as shares,
        cast(saves as {{ dbt.type_bigint() }}) as saves,
        cast(accounts as {{ dbt.type_int() }}) as accounts,
        cast(posts_with_metrics as {{ dbt.type_bigint() }}) as posts_with_metrics,
        cast(accounts_with_data as {{ dbt.type_int() }}) as accounts_with_data,
        cast(posts_with_views as {{ dbt.type_bigint() }}) as posts_with_views,
        cast(posts_with_engagements as {{ dbt.type_bigint() }}) as posts_with_engagements,
        cast(posts_with_likes as {{ dbt.type_bigint() }}) as posts_with_likes,
        cast(posts_with_comments as {{ dbt.type_bigint() }}) as posts_with_comments,
        cast(posts_with_shares as {{ dbt.type_bigint() }}) as posts_with_shares,
        cast(posts_with_saves as {{ dbt.type_bigint() }}) as posts_with_saves,
        case
            when not has_account then 'no_account'
            when accounts_with_data = 0 then 'no_data'
            when posts = 0 then 'no_posts'
            when posts_with_metrics = 0 then 'no_matured_data'
            else 'ok'
        end as data_status
    from with_engagements

)

select * from final
