"""The demo region: real places the seeds name, invented people (Faker, zh_CN)."""
