DROP TABLE IF EXISTS request_links;
