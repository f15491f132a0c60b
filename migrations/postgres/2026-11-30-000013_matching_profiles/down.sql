DROP TABLE matching_profiles;
