-- Tables shaped like the ones a validated update touches (see update_shape.sql).
create table users(tenant text, id bigint, email text, state jsonb, updated_at timestamptz, primary key(tenant,id));
create table form_data(tenant text, user_id bigint, lang text, data jsonb, primary key(tenant,user_id,lang));
create table memberships(tenant text, user_id bigint, grp text, primary key(tenant,user_id,grp));
create table invocation_log(id bigserial primary key, tenant text, plugin text, at timestamptz, entry jsonb);
create table counters(tenant text, plugin text, shard int, calls bigint, primary key(tenant,plugin,shard));
create table generation(id int primary key, g bigint);
create table tokens(hash bytea primary key, tenant text, user_id bigint, expires timestamptz);
insert into generation values (1,1);
insert into users select 'bench', g, 'u'||g||'@x', '{}', now() from generate_series(1,128) g;
insert into form_data select 'bench', g, 'en_US', '{"a":1}' from generate_series(1,128) g;
insert into memberships select 'bench', g, 'g1' from generate_series(1,128) g;
insert into counters select 'bench', 'v', s, 0 from generate_series(0,31) s;
insert into tokens select decode(md5(g::text),'hex'), 'bench', g, now()+interval '1 day' from generate_series(1,128) g;
