# Turns the report's "no day" rows as issue #16 words them (the conflicting rules named) back
# into the earlier words, so that reports of the two versions can be compared byte for byte:
#   sed -E -f scripts/schedule_no_day.sed after/report.md | cmp - before/report.md
s/无可行日，冲突的规则：[A-Z0-9、]+/没有满足日期规则的日子/g
s/no day: conflicting rules [A-Z0-9, ]+[A-Z0-9]/no day satisfies the date rules/g
s#(没有满足日期规则的日子</td><td>)[A-Z0-9, ]+(</td>)#\1\2#g
s#(no day satisfies the date rules</td><td>)[A-Z0-9, ]+(</td>)#\1\2#g
s#(没有满足日期规则的日子 · no day satisfies the date rules</td><td>)[A-Z0-9, ]+(</td>)#\1\2#g
s/(window |合规窗口 )没有满足日期规则的日子( · no day satisfies the date rules)?/\1无可行日\2/g
s/(window |合规窗口 |window 无可行日 · )no day satisfies the date rules/\1no day/g
s/\| (no day satisfies the date rules|没有满足日期规则的日子|没有满足日期规则的日子 · no day satisfies the date rules) \| [A-Z0-9, ]+ \|/| \1 |  |/g
