-- Publishing a year that is not finished (issue 13): refused while a unit
-- is unfinished or a veto undecided, unless the assessor gives a reason;
-- the units published so are kept here (unit codes, |JD01|JD06|) and the
-- ranking marks them.
ALTER TABLE assessment_schemes ADD COLUMN published_gaps TEXT NOT NULL DEFAULT '|';
