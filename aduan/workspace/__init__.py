"""The staff pages (/staf/): sign-in, queues, the complaint page, canned responses, exports,
two-factor pages."""
