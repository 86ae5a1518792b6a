"""Model instances from rows that a statement written by hand read.

A few pages read their rows with SQL written by hand, where building and compiling a queryset
cost Django more than the database took to run it (the theme page; the cards of
publications/cards.py). Their rows must still become the instances the ORM would give: the
same loaded and deferred columns, and each value as the ORM converts it (SQLite returns a
timestamp without its time zone and a boolean as 0 or 1; the ORM's converters fix both).
"""

from django.db import connections


class RowReader:
    """Builds ``model`` instances from ``fields`` (any order), read as consecutive columns of a
    row starting at ``start``, with the converters the ORM applies to those columns on
    ``using``. ``columns(alias)`` writes the SELECT list in the order the reader expects."""

    def __init__(self, model, fields, using="default", start=0):
        wanted = set(fields)
        # Model.from_db() takes the loaded columns in the model's own order.
        self.fields = [field for field in model._meta.concrete_fields if field in wanted]
        self.model, self.using, self.start = model, using, start
        self.end = start + len(self.fields)
        self.names = [field.attname for field in self.fields]
        connection = connections[using]
        self.converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, found, column))
        self.connection = connection

    def columns(self, alias):
        quote = self.connection.ops.quote_name
        return [f"{alias}.{quote(field.column)}" for field in self.fields]

    def __call__(self, row):
        values = list(row[self.start : self.end])
        for index, found, column in self.converters:
            value = values[index]
            for convert in found:
                value = convert(value, column, self.connection)
            values[index] = value
        return self.model.from_db(self.using, self.names, values)
