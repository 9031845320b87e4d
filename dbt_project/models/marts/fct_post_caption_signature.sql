{{ config(enabled=target.type != 'spark') }}
-- A post's caption signature (int_post_caption_signatures) under the marts' post key (dim_post's,
-- from int_post_identities), so the monthly evaluation reads it from the published snapshot instead
-- of an intermediate table. It reveals nothing dim_post does not show: the MinHash of the title and
-- text dim_post publishes. On DuckDB only, like the signatures (the evaluation does not run on Spark).
with signatures as (
    select * from {{ ref('int_post_caption_signatures') }}
),

identities as (
    select * from {{ ref('int_post_identities') }}
),

final as (
    select
        identities.post_key,
        signatures.signature
    from signatures
    inner join identities
        on signatures.platform = identities.platform and signatures.post_id = identities.post_id
)

select * from final
