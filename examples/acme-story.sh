# The sample cooperative's story, one CLI command per movement (sourced by demo.sh).
sl hire alice --name "Alice Martin" --date 2014-01-01
sl hire bob --name "Bob Durand" --date 2014-01-01
sl admit alice --date 2014-01-01 --ref "founding AGM"
sl admit bob --date 2014-01-01 --ref "founding AGM"
sl subscribe alice --shares 40 --date 2014-01-01
sl subscribe bob --shares 40 --paid 500 --date 2014-01-01
sl appoint alice --office manager --term-years 4 --date 2014-01-01
sl admit invest --name "Fonds Solidaire" --legal-person --date 2014-06-01
sl subscribe invest --shares 100 --date 2014-06-01
sl pay-up bob --amount 500 --date 2015-01-31
sl terminate bob --reason dismissal --date 2017-03-31
sl pay-refund bob --amount 400 --date 2018-03-31
sl hire carol --name "Carol Petit" --date 2016-09-01
sl admit carol --date 2017-09-15
sl subscribe carol --shares 20 --date 2017-09-15
sl subscribe carol --shares 20 --date 2017-09-15 --note "typed twice"
