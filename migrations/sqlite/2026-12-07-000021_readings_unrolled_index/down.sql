DROP INDEX readings_unrolled;
