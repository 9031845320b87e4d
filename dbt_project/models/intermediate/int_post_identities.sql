-- One row per post: the identifiers the marts show for it (PIPL, docs/privacy.md). Every mart that
-- carries a post reads its key and ids here, so a post has one pseudonymous id everywhere.
-- post_key is the surrogate of the post's keyed pseudonym for every post, shown or not: it does not
-- change when the account's type does (delete+insert marts would keep a row under the old key), and
-- it cannot be recomputed from a native post id without the key. A post of a pseudonymised account
-- (an account type in var pseudonymised_account_types; a post without a known account counts as
-- unknown) shows its pseudonym as post_id and no link.
with posts as (
    select platform, post_id, account_id, post_url from {{ ref('int_posts') }}
),

accounts as (
    select platform, account_id, account_id_public, account_key, account_type from {{ ref('int_accounts') }}
),

typed as (
    select
        posts.platform,
        posts.post_id,
        posts.account_id,
        posts.post_url,
        {{ pseudonym('posts.post_id') }} as post_pseudonym,
        accounts.account_id_public,
        accounts.account_key,
        coalesce(accounts.account_type, 'unknown') as account_type
    from posts
    left join accounts on posts.platform = accounts.platform and posts.account_id = accounts.account_id
),

final as (
    select
        platform,
        post_id,
        {{ surrogate_key(['platform', 'post_pseudonym']) }} as post_key,
        post_pseudonym,
        {{ is_pseudonymised('account_type') }} as is_pseudonymised,
        case when {{ is_pseudonymised('account_type') }} then post_pseudonym else post_id end as post_id_public,
        case when {{ is_pseudonymised('account_type') }} then null else post_url end as post_url_public,
        -- an account id without an int_accounts row is unknown: pseudonymised as well
        coalesce(account_id_public, {{ public_account_id('account_id', "'unknown'") }}) as account_id_public,
        account_key,
        account_type
    from typed
)

select * from final
