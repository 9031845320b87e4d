-- The report's top posts: the five most viewed (at maturity) official posts per city and platform.
with ranked as (
    select
        city_code,
        platform,
        post_key,
        post_id,
        published_at,
        latest.views as views,
        latest.engagements as engagements,
        row_number() over (
            partition by city_code, platform
            order by latest.views desc nulls last, latest.engagements desc nulls last, post_id
        ) as place
    from matured_posts
    where latest is not null
)

-- titles and links only for the posts shown
select
    ranked.city_code,
    ranked.platform,
    ranked.post_id,
    dim_post.title,
    dim_post.text,
    dim_post.post_url,
    ranked.published_at,
    ranked.views,
    ranked.engagements
from ranked
inner join dim_post on ranked.post_key = dim_post.post_key
where ranked.place <= 5
order by ranked.city_code, ranked.platform, ranked.place
